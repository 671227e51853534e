// title: Call graph
// summary: Which function calls which, and how often (direct and indirect calls).
//
// What it measures: every executed call, as an edge from the calling function to the called one.
// Direct calls know their target statically; for `call_indirect` the target is the function found in
// the table slot at run time.
// How to read the report: `edges` maps (caller fid, callee fid) to the number of calls; `indirect`
// counts the calls that went through a table. Function ids count imports first, as in the app's name
// section (`whamm info` and the fname column of other reports give the names). An edge to an imported
// function is a call out of the module (WASI, the host).
// Cost: a map update per executed call.

report var edges: map<(u32, u32), u64>;
report var indirect: u64;

wasm:opcode:call:before {
    edges[(fid, imm0)]++;
}

wasm:opcode:call_indirect:before {
    edges[(fid, resolved_fid as u32)]++;
    indirect++;
}
