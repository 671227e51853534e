// title: Instruction mix
// summary: How many instructions of each opcode ran (loads, stores, arithmetic, control, ...).
//
// What it measures: for every executed instruction, its opcode name (known statically at each site).
// How to read the report: `by_opcode` maps an opcode name (`i32.add`, `local.get`, `i32.load`, ...) to
// how often it ran, and `total` is the number of instructions executed. The shares tell what kind of
// work the app does: a memory-bound kernel shows many loads and stores, a numeric one many arithmetic
// opcodes, an interpreter many `br_table`s and calls. To count a family, narrow the rule:
// `wasm:opcode:*load*:before` counts the loads only.
// Cost: a map update per executed instruction.

report var by_opcode: map<str, u64>;
report var total: u64;

wasm:opcode:*:before {
    by_opcode[opname]++;
    total++;
}
