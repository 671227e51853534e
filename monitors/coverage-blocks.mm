// title: Basic-block coverage
// summary: How often each basic block (straight-line run of code) was entered.
//
// What it measures: a basic block is a straight-line run of instructions with one way in and one way
// out; each one gets a counter that is incremented every time control enters it.
// How to read the report: one `entered` row per block, at the pc of its first instruction. 0 means the
// block never ran (uncovered code); a high count marks the hot paths. Block coverage is the number of
// non-zero rows divided by the number of rows.
// Cost: one counter increment per executed block: cheaper than per-instruction coverage.

wasm:block:start {
    report unshared var entered: u64;
    entered++;
}
