// title: memory.grow and allocations
// summary: How the app's memory grows (memory.grow calls, pages, failures) and its malloc/free calls.
//
// What it measures: every `memory.grow` (pages asked for, whether it failed, the size after it), and
// calls to functions named malloc, calloc, realloc and free (C, Rust with a C allocator, and other
// languages that export these names; stripped apps have no names and show no allocations).
// How to read the report: `grow_calls`, `pages_requested`, `grow_failures` and `peak_pages` (the
// largest memory size seen after a grow, in pages) summarise growth; each `memory.grow` site also gets
// a `grown` row with how often it ran. `allocations`, `frees` and `bytes_requested` count the allocator
// calls (`bytes_requested` adds up malloc sizes and realloc new sizes; calloc is counted, its size not).
// Many allocations with few frees hint at a leak or an arena allocator.
// Cost: only at memory.grow and at allocator calls.

report var grow_calls: u32;
report var pages_requested: u64;
report var grow_failures: u32;
report var peak_pages: u32;
report var allocations: u64;
report var frees: u64;
report var bytes_requested: u64;

wasm:opcode:memory.grow:after {
    report unshared var grown: u32;
    grown++;
    grow_calls++;
    pages_requested = pages_requested + (arg0 as u64);
    if (failed) {
        grow_failures++;
    } else {
        var now: u32 = mem_size(0);
        if (now > peak_pages) {
            peak_pages = now;
        }
    }
}

wasm:opcode:call(arg0: i32):before / target_fn_name == "malloc" / {
    allocations++;
    bytes_requested = bytes_requested + (arg0 as u32 as u64);
}

wasm:opcode:call(arg0: i32):before / target_fn_name == "realloc" / {
    allocations++;
    bytes_requested = bytes_requested + (arg0 as u32 as u64);
}

wasm:opcode:call:before / target_fn_name == "calloc" / {
    allocations++;
}

wasm:opcode:call:before / target_fn_name == "free" / {
    frees++;
}
