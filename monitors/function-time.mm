// title: Time per function
// summary: Where the run spends its time, per function, measured in instructions executed.
//
// What it measures: Whamm has no clock, so time is approximated by work: each basic block adds its
// instruction count to the function it belongs to when it runs (self cost: instructions executed in the
// function itself, not in the functions it calls). Every function entry is counted too.
// How to read the report: `instructions` maps a function id to the instructions it executed, `calls` to
// how often it was entered, and `total` is the whole run. instructions / total is the function's share
// of the run; instructions / calls its average cost per call. Instructions are not all equally slow
// (a division or a cache-missing load costs more than an add), so treat the shares as estimates.
// Cost: one add per executed basic block and one map update per call.

report var instructions: map<u32, u64>;
report var calls: map<u32, u64>;
report var total: u64;

wasm:func:entry {
    calls[fid]++;
}

wasm:block:end {
    instructions[fid] = instructions[fid] + (instr_count as u64);
    total = total + (instr_count as u64);
}
