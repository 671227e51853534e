// title: Instruction coverage
// summary: Which instructions ran at least once (one flag per instruction).
//
// What it measures: every instruction of the app gets a per-site flag that is set the first time the
// instruction runs.
// How to read the report: one `executed` row per instruction, identified by its function (fname, fid)
// and pc (byte offset in the body). `true` means it ran; `false` rows are code the run never reached.
// Count the `false` rows of a function to see how much of it is dead for this input.
// Cost: one global write per executed instruction; the report has a row per instruction.

wasm:opcode:*:before {
    report unshared var executed: bool;
    executed = true;
}
