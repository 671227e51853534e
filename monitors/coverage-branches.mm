// title: Branch coverage
// summary: For each conditional branch, how often it went each way (br_if, if, br_table).
//
// What it measures: every `br_if` and `if` counts its two outcomes; every `br_table` counts the
// target it jumped to.
// How to read the report: `taken` / `not_taken` rows per `br_if` and `if` site (fname, fid, pc). A branch
// is fully covered when both are non-zero; one zero means one direction was never exercised.
// `table_targets` maps (fid, pc, target index) to how often that `br_table` target was chosen (the last
// index is the default target).
// Cost: a compare and an increment per executed branch.

report var table_targets: map<(u32, u32, u32), u64>;

wasm:opcode:br_if|if:before {
    report unshared var taken: u64;
    report unshared var not_taken: u64;
    if (arg0 != 0) {
        taken++;
    } else {
        not_taken++;
    }
}

wasm:opcode:br_table:before {
    var chosen: u32 = arg0;
    if (chosen > num_targets) {
        chosen = num_targets;
    }
    table_targets[(fid, pc, chosen)]++;
}
