// title: Loop tracing
// summary: For each loop, how many times it was started and how many iterations it ran.
//
// What it measures: `loop:before` fires when control reaches a loop from outside (one run of the loop);
// `loop:entry` fires at the top of the loop body, on the first entry and on every branch back to it (one
// iteration).
// How to read the report: per loop (fname, fid and the pc of its `loop` instruction) a `starts` row and
// an `iterations` row; iterations / starts is the average trip count. A loop with many starts and few
// iterations each is the inner loop of something hotter; a loop started once with millions of
// iterations is a main loop. Loops with 0 starts never ran.
// Cost: one increment per loop start and per iteration.

wasm:opcode:loop:before {
    report unshared var starts: u64;
    starts++;
}

wasm:opcode:loop:entry {
    report unshared var iterations: u64;
    iterations++;
}
