// title: Hotness
// summary: How many times each instruction ran: the hot spots of the app.
//
// What it measures: an execution counter per instruction.
// How to read the report: one `runs` row per instruction (fname, fid, pc). Sort by the value: the
// largest counts are the hot loops and the code worth optimising; rows with 0 never ran. The counts of
// one straight-line stretch of code are equal, so look for where they change.
// With `whamm coverage --script` (or Run with Coverage in the editor) the same counts are mapped to
// source lines.
// Cost: one increment per executed instruction, batched per straight-line run of code by the engine.

wasm:opcode:*:before {
    report unshared var runs: u64;
    runs++;
}
