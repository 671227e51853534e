// title: Memory access tracing
// summary: Every load and store: how often each one ran, how many bytes, and the address range it touched.
//
// What it measures: at each load and store, the effective address (base + offset) and the access size.
// How to read the report: per load/store site (fname, fid, pc): `accesses` (times it ran), `lowest` and
// `highest` (the smallest and largest address it touched: a wide range is a streaming access, equal
// values a fixed variable). `bytes_read` / `bytes_written` are the totals over the run.
// Cost: a few compares and updates per executed memory access.

report var bytes_read: u64;
report var bytes_written: u64;

wasm:opcode:*load*|*store*:before {
    report unshared var accesses: u64;
    report unshared var lowest: u32;
    report unshared var highest: u32;
    if (accesses == 0 || effective_addr < lowest) {
        lowest = effective_addr;
    }
    if (effective_addr > highest) {
        highest = effective_addr;
    }
    accesses++;
    if (is_write) {
        bytes_written = bytes_written + (data_size as u64);
    } else {
        bytes_read = bytes_read + (data_size as u64);
    }
}
