// title: Fault injection
// summary: Makes every Nth call to an imported function fail (replaces the call with `alt`).
//
// What it measures: how the app copes with a failing host. Every call to the chosen import
// (`fd_write` of WASI by default: writing output) is counted; every `every`-th one is not made at all:
// the `alt` probe replaces the call and returns `error_code` instead (WASI errno 29 = EIO), without
// writing anything. The other calls go through unchanged (`alt_call_by_id` makes the original call).
// How to read the report: `calls` is how many times the app called the import, `injected` how many of
// those failed on purpose. Compare the app's output and exit code with a normal run: a robust app
// reports the error or retries; a silent one loses data. Set `every` to 1 to fail every call; change
// `target_fn_name` in the rule to another import (`fd_read`, `path_open`, ...) whose result is an errno.
// Cost: a counter and a compare per call to the import.

var every: u32 = 3;
var error_code: i32 = 29;

report var calls: u32;
report var injected: u32;

wasm:opcode:call:alt / target_imp_module == "wasi_snapshot_preview1" && target_fn_name == "fd_write" / {
    calls++;
    if (calls % every == 0) {
        injected++;
        return error_code;
    }
    alt_call_by_id(imm0);
}
