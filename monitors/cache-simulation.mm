// title: Cache simulation
// summary: A direct-mapped 32 KiB data cache with 64-byte lines: hits and misses per load/store.
//
// What it measures: every load and store is looked up in a simulated cache: 512 sets of one 64-byte
// line each (32 KiB). A line holds the tag of the memory block last loaded into its set; an access to a
// different block evicts it (a miss). Change `line_bits` and `set_bits` to model another cache.
// How to read the report: `hits`, `misses` over the whole run (miss rate = misses / (hits + misses));
// `misses_at` maps (fid, pc) of a load/store to its misses: the sites with many misses are the ones whose
// access pattern (stride, working set) fights the cache. Accesses that straddle two lines count once.
// Cost: a map lookup and update per executed memory access.

var line_bits: u32 = 6;
var set_bits: u32 = 9;
// set index -> (tag of the cached block) + 1; 0 means the set is empty.
var lines: map<u32, u32>;

report var hits: u64;
report var misses: u64;
report var misses_at: map<(u32, u32), u64>;

wasm:opcode:*load*|*store*:before {
    var block: u32 = effective_addr >> line_bits;
    var set: u32 = block & ((1 << set_bits) - 1);
    var tag: u32 = (block >> set_bits) + 1;
    if (lines[set] == tag) {
        hits++;
    } else {
        misses++;
        misses_at[(fid, pc)]++;
        lines[set] = tag;
    }
}
