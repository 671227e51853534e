// One-line documentation for events and bound variables, shown by the language server's hover and
// completion. Opcode events without a hand-written line get one composed from the opcode table.

import type { OpInfo, SigType } from '../wasm/opcodes.js';

export const VAR_DOCS: Record<string, string> = {
    probe_id: 'Number of the probe in the script that this code belongs to.',
    fid: 'Index of the function holding the site (imported functions are counted first).',
    fname: 'Name of the function holding the site, from the name section ("" when it has none).',
    pc: 'Byte offset of the instruction from the start of the function body (local declarations included).',
    opidx: 'Position of the instruction in its function body, counting from 0.',
    at_func_end: 'True when the site is the final `end` of its function.',
    local: 'Value of local N of the enclosing function; its type comes from a type bound or the declarations.',
    opname: 'Text-format name of the instruction at the site.',
    bytecode: 'Opcode of the instruction (prefixed opcodes: prefix byte in the high 8 bits).',
    category_id: 'Numeric id of the instruction family (control, memory, arith, ...).',
    category_name: 'Name of the instruction family (control, load, store, arith, ...).',
    arg: 'Operand N consumed by the instruction, counted from the top of the stack (arg0 is the topmost).',
    res: 'Result N produced by the instruction (only in `after` probes).',
    imm: 'Immediate N of the instruction, in encoding order.',
    addr: 'Address operand of the memory access, before the static offset is added.',
    offset: 'Static offset encoded in the instruction\'s memory argument.',
    align: 'Alignment hint of the memory argument, as a power of two.',
    data_size: 'Number of bytes the instruction reads or writes.',
    effective_addr: 'Address actually accessed: the address operand plus the static offset.',
    is_write: 'True when the instruction writes memory.',
    memory: 'Index of the memory the instruction accesses.',
    target_fn_name: 'Name of the called function (export/import or name-section name).',
    target_imp_module: 'Module name of the called function when it is an import, else "".',
    target_fn_type: 'Whether the called function is "import"ed or "local" to the module.',
    table_entry_idx: 'Table slot the indirect call or table read goes through.',
    target_funcref: 'Function reference found in the table slot.',
    resolved_fid: 'Function index the reference resolves to (-1 when it is not a known function).',
    targets: 'Branch targets of br_table: case number -> label depth.',
    default_target: 'Label depth br_table uses when the operand is out of range.',
    num_targets: 'Number of cases of br_table, the default excluded.',
    target: 'Label depth this execution of the br_table takes (the default when the index is past the table).',
    failed: 'True when memory.grow could not grow the memory (it returned -1).',
    instr_count: 'Number of instructions in the basic block.',
    tid: 'Index of the struct or array type the instruction works on.',
    field_idx: 'Index of the struct field the instruction reads or writes.',
};

export const FN_DOCS: Record<string, string> = {
    drop_args: 'Pops the instruction\'s operands from the stack (use in `alt` when the replacement ignores them).',
    alt_call_by_id: 'In `alt`, calls the function with the given index instead of the original target.',
    alt_call_by_name: 'In `alt`, calls the function exported or named `func_name` instead of the original target.',
    resolve_funcref: 'Returns the function index behind a function reference read from a table.',
    dup_at: 'Repeats the bulk memory operation at another memory and address.',
};

export const EVENT_DOCS: Record<string, string> = {
    'wasm:begin': 'Runs once when the instrumented program starts, before any application code.',
    'wasm:end': 'Runs once when the program finishes (`_start` returned or `proc_exit` was called).',
    'wasm:report': 'Runs when the report is flushed, just before the report variables are printed.',
    'wasm:func:entry': 'Runs each time a function is entered, before its first instruction.',
    'wasm:func:exit': 'Runs each time a function returns, whichever way it leaves.',
    'wasm:block:start': 'Runs at the start of every basic block.',
    'wasm:block:end': 'Runs at the end of every basic block.',
};

export const MODE_DOCS: Record<string, string> = {
    before: 'Runs just before the instruction executes.',
    after: 'Runs right after the instruction, when control falls through to the next one.',
    alt: 'Replaces the instruction: the body runs instead of it.',
    entry: 'Runs when control enters the block.',
    exit: 'Runs when control leaves the block through its end.',
    semantic_after: 'Runs after the instruction\'s effect, wherever control goes (the taken branch included).',
    block_alt: 'Replaces the whole block.',
    at_target: 'Runs each time the branch executes, taken or not, with the state the target sees (the reference counts a not-taken br_if too).',
};

const OP_DOCS: Record<string, string> = {
    unreachable: 'Traps unconditionally.',
    nop: 'Does nothing.',
    block: 'Opens a block; a branch to it jumps to its end.',
    loop: 'Opens a loop; a branch to it jumps back to its start.',
    if: 'Opens a block that runs when the condition (arg0) is non-zero, else the `else` arm.',
    else: 'Starts the else arm of an `if`.',
    end: 'Closes a block, loop, if, try or the function body.',
    try_table: 'Opens a block whose exceptions are dispatched to the listed catch labels.',
    throw: 'Throws an exception with the given tag and the operands as payload.',
    throw_ref: 'Rethrows a caught exception reference.',
    br: 'Branches unconditionally to the label imm0.',
    br_if: 'Branches to the label imm0 when arg0 is non-zero.',
    br_table: 'Branches to the case selected by arg0, or to the default label.',
    return: 'Returns from the function.',
    call: 'Calls the function imm0.',
    call_indirect: 'Calls the function in table imm1 at index arg0, checked against type imm0.',
    return_call: 'Tail-calls the function imm0.',
    return_call_indirect: 'Tail-calls through a table, checked against type imm0.',
    call_ref: 'Calls a typed function reference.',
    return_call_ref: 'Tail-calls a typed function reference.',
    drop: 'Discards the top value of the stack.',
    select: 'Picks one of two values by the condition arg0.',
    typed_select: 'Picks one of two values by the condition arg0 (type annotated).',
    'local.get': 'Pushes the value of local imm0.',
    'local.set': 'Stores arg0 into local imm0.',
    'local.tee': 'Stores arg0 into local imm0 and keeps it on the stack.',
    'global.get': 'Pushes the value of global imm0.',
    'global.set': 'Stores arg0 into global imm0.',
    'memory.size': 'Pushes the size of memory imm0 in pages.',
    'memory.grow': 'Grows memory imm0 by arg0 pages; pushes the old size or -1.',
    'ref.null': 'Pushes a null reference.',
    'ref.func': 'Pushes a reference to the function imm0.',
    'atomic.fence': 'Orders memory accesses between threads.',
};

const FAMILY: Record<string, string> = {
    control: 'control flow', branch: 'branch', call: 'call', exception: 'exception handling',
    parametric: 'parametric', variable: 'variable access', table: 'table access', load: 'memory load',
    store: 'memory store', memory: 'memory management', const: 'constant', compare: 'comparison',
    arith: 'arithmetic', convert: 'conversion', reference: 'reference', gc: 'GC heap', atomic: 'atomic',
    simd: 'vector',
};

function showTypes(ts: readonly SigType[]): string {
    return ts.map((t) => ({ a: 'addr', A: 'i32', T: 'i32', '?': 'any', $: 'declared', '*': '...' } as Record<string, string>)[t] ?? t).join(', ');
}

/** One line for an opcode event: a hand-written sentence where there is one, else the family and stack shape. */
export function opDoc(op: OpInfo): string {
    const family = FAMILY[op.category];
    const hand = OP_DOCS[op.name];
    if (hand) return `${hand} (${family})`;
    const mem = op.mem ? `, ${op.mem.bytes}-byte ${op.mem.kind}` : '';
    return `${family[0].toUpperCase()}${family.slice(1)} instruction: (${showTypes(op.params)}) -> (${showTypes(op.results)})${mem}.`;
}
