// Derives the Whamm event catalog. Opcode events come from the opcode table: the category gives the
// modes, the immediates give immN and the immediate-specific variables, the stack signature gives argN
// and resN, the memory column gives the memory variables. Non-opcode events are listed by hand.

import { OPCODES, type ImmKind, type OpInfo, type SigType } from '../wasm/opcodes.js';
import { EVENT_DOCS, FN_DOCS, VAR_DOCS, opDoc } from './docs.js';

export interface BoundVar {
    /** Full name (`fid`, `arg0`) or, for a family (`family: true`), the stem (`arg` for arg0, arg1, ...). */
    readonly name: string;
    /** A family stands for stem+N for every N >= `from` (events.tsv writes it `arg[0:9]+`). */
    readonly family: boolean;
    readonly from: number;
    /** Whamm type: u8..u64, i8..i64, f32, f64, bool, str, funcref, map<K,V>, or `unknown` when the site decides. */
    readonly type: string;
    /** Known at instrumentation time (folded into the code). */
    readonly static: boolean;
    /** Only available in these modes (resN: `after`); undefined = every mode of the event. */
    readonly modes?: readonly string[];
    readonly doc: string;
}

export interface BoundFnParam { readonly name: string; readonly type: string; }
export interface BoundFn {
    readonly name: string;
    readonly params: readonly BoundFnParam[];
    /** Result type, or null when it returns nothing. */
    readonly ret: string | null;
    readonly doc: string;
}

export interface WhammEvent {
    /** `wasm:opcode:i32.add`, `wasm:func:entry`, `wasm:begin`. */
    readonly rule: string;
    readonly provider: string;
    readonly package: string;
    /** Event part (`i32.add`, `entry`); '' for the two-part events (begin, end, report). */
    readonly event: string;
    /** Other spellings a glob may use for the event part (e.g. `i32.atomic_load` for `i32.atomic.load`). */
    readonly aliases: readonly string[];
    /** Supported modes; empty for mode-less events. */
    readonly modes: readonly string[];
    /** Event-specific variables (provider-wide ones are in PROVIDER_VARS). */
    readonly vars: readonly BoundVar[];
    readonly fns: readonly BoundFn[];
    readonly doc: string;
    /** The opcode-table entry of an opcode event. */
    readonly op?: OpInfo;
}

function v(name: string, type: string, isStatic: boolean, extra: Partial<BoundVar> = {}): BoundVar {
    const stem = extra.family ? name : name.replace(/\d+$/, '');
    return { name, family: false, from: 0, type, static: isStatic, doc: VAR_DOCS[name] ?? VAR_DOCS[stem] ?? '', ...extra };
}
function fam(stem: string, type: string, isStatic: boolean, from = 0, modes?: string[]): BoundVar {
    return v(stem, type, isStatic, { family: true, from, modes });
}
function fn(name: string, params: [string, string][], ret: string | null): BoundFn {
    return { name, params: params.map(([n, t]) => ({ name: n, type: t })), ret, doc: FN_DOCS[name] ?? '' };
}

/** Variables every probe can use. */
export const PROVIDER_VARS: readonly BoundVar[] = [
    v('probe_id', 'i32', true),
    v('fid', 'u32', true),
    v('pc', 'u32', true),
    v('opidx', 'u32', true),
    v('at_func_end', 'bool', true),
    v('fname', 'str', true),
    fam('local', 'unknown', false),
];

// Modes by instruction kind. The block and branch extras (after/alt on blocks, at_target on branches)
// are what the conformance corpus exercises beyond events.tsv.
const BLOCK_MODES = ['before', 'after', 'alt', 'semantic_after', 'block_alt', 'entry', 'exit'];
const BRANCH_MODES = ['before', 'after', 'alt', 'semantic_after', 'at_target'];
const PLAIN_MODES = ['before', 'after', 'alt'];

function modesOfOp(op: OpInfo): string[] {
    if (op.blockLike || op.name === 'else') return BLOCK_MODES;
    if (op.category === 'branch') return BRANCH_MODES;
    // Nothing runs after a trap, and `end` cannot be replaced without breaking the block structure.
    if (op.name === 'unreachable') return ['before', 'alt'];
    if (op.name === 'end') return ['before', 'after'];
    return PLAIN_MODES;
}

/** Whamm's view of a signature token for argN/resN. */
function whammType(t: SigType): string {
    switch (t) {
        case 'a': return 'u32';
        case 'A': case 'T': return 'i32';
        case '$': case '?': case '*': case 'ref': return 'unknown';
        default: return t;
    }
}

function argVars(op: OpInfo): BoundVar[] {
    const ps = op.params;
    if (ps.length === 0) return [];
    // A reference or a stack-typed value anywhere makes the operand list site-dependent as a whole.
    if (ps.some((t) => t === 'ref' || t === '?')) return [fam('arg', 'unknown', false)];
    const out: BoundVar[] = [];
    // Operands from the top of the stack until the immediate-dictated run (`*`) starts.
    for (let i = ps.length - 1, n = 0; i >= 0; i--, n++) {
        if (ps[i] === '*') { out.push(fam('arg', 'unknown', false)); break; }
        out.push(v(`arg${n}`, whammType(ps[i]), false));
    }
    return out;
}

/** Results are bound for instructions whose result is the point of observing them: loads, memory size
 *  queries and calls that return to the site. */
function resVars(op: OpInfo): BoundVar[] {
    const returning = op.category === 'call' && !op.name.startsWith('return_call');
    const memRead = op.mem?.kind === 'read';
    const memSize = op.name === 'memory.size' || op.name === 'memory.grow';
    if (!(returning || memRead || memSize)) return [];
    if (op.category === 'simd') return [];
    if (op.results.includes('*')) return [fam('res', 'unknown', false, 0, ['after'])];
    return op.results.map((t, i) => v(`res${i}`, whammType(t), false, { modes: ['after'] }));
}

const IMM_TYPE: Partial<Record<ImmKind, string>> = {
    label: 'u32', func: 'u32', type: 'u32', table: 'u32', local: 'u32', global: 'u32', tag: 'u32',
    data: 'u32', elem: 'u32', mem: 'u32', field: 'u32', count: 'u32',
    i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64',
    heaptype: 'unknown',
};

function immVars(op: OpInfo): BoundVar[] {
    const out: BoundVar[] = [];
    let n = 0;
    for (const k of op.imms) {
        if (k === 'brtable') {
            out.push(fam('imm', 'u32', true),
                v('targets', 'map<u32,u32>', true), v('default_target', 'u32', true),
                v('num_targets', 'u32', true), v('target', 'u32', true));
            continue;
        }
        const t = IMM_TYPE[k];
        if (t) out.push(v(`imm${n++}`, t, true));
    }
    // GC instructions name the type they work on (when there is exactly one) and the field they touch.
    if (op.category === 'gc') {
        if (op.imms.filter((k) => k === 'type').length === 1) out.push(v('tid', 'u32', true));
        if (op.imms.includes('field')) out.push(v('field_idx', 'u32', true));
    }
    return out;
}

/**
 * The values of an instruction's immN variables, in the numbering immVars gives them: index and constant
 * immediates in encoding order, br_table's labels then its default; memargs, block types, type lists,
 * catch clauses and SIMD lanes are not immN (memargs bind offset/align/memory instead).
 */
export function immValues(op: OpInfo, imms: readonly unknown[]): (number | bigint)[] {
    const out: (number | bigint)[] = [];
    op.imms.forEach((k, i) => {
        const x = imms[i];
        if (k === 'brtable') {
            const bt = x as { labels: readonly number[]; default: number };
            out.push(...bt.labels, bt.default);
        } else if (IMM_TYPE[k] && (typeof x === 'number' || typeof x === 'bigint')) out.push(x);
    });
    return out;
}

function memVars(op: OpInfo): BoundVar[] {
    if (!op.mem || op.category === 'simd') return [];
    const out = [
        v('addr', 'u32', false), v('offset', 'u64', true), v('align', 'u32', true), v('memory', 'u32', true),
        v('effective_addr', 'u32', false), v('is_write', 'bool', true),
    ];
    // Wait/notify synchronise on an address; no data moves between memory and the stack.
    if (op.mem.kind !== 'sync') out.push(v('data_size', 'u32', true));
    return out;
}

// How a call or table instruction finds its function: statically (direct call), through a table slot
// read at run time, or from a reference whose function the engine resolves.
const FUNC_TARGET: Record<string, 'direct' | 'table' | 'ref'> = {
    call: 'direct', return_call: 'direct',
    call_indirect: 'table', return_call_indirect: 'table', 'table.get': 'table',
    call_ref: 'ref', return_call_ref: 'ref', 'ref.func': 'ref', 'table.set': 'ref',
};

function targetVars(op: OpInfo): { vars: BoundVar[]; fns: BoundFn[] } {
    switch (FUNC_TARGET[op.name]) {
        case 'direct': return {
            vars: [v('target_imp_module', 'str', true), v('target_fn_name', 'str', true), v('target_fn_type', 'str', true)],
            fns: [fn('alt_call_by_id', [['func_id', 'i32']], null), fn('alt_call_by_name', [['func_name', 'str']], null)],
        };
        case 'table': return {
            vars: [v('table_entry_idx', 'i32', false), v('target_funcref', 'funcref', false), v('resolved_fid', 'i32', false)],
            fns: [fn('resolve_funcref', [['target_funcref', 'funcref'], ['table_entry_idx', 'i32']], 'i32')],
        };
        case 'ref': return { vars: [v('resolved_fid', 'i32', true)], fns: [] };
        default: return { vars: [], fns: [] };
    }
}

/** Event names the monitors in the wild also use: the threads proposal's early underscore spelling. */
function aliasesOf(op: OpInfo): string[] {
    const m = /^(.*?\.?)atomic\.(.+)$/.exec(op.name);
    if (!m || op.name === 'atomic.fence') return [];
    return [`${m[1]}atomic_${m[2].replace(/\./g, '_')}`];
}

/** Opcode events exist for every instruction except those of proposals Whamm does not instrument. */
const NO_EVENTS = new Set(['simd', 'relaxed-simd', 'legacy-exceptions']);

function opcodeEvent(op: OpInfo): WhammEvent {
    const vars: BoundVar[] = [
        v('opname', 'str', true), v('bytecode', 'u16', true),
        v('category_id', 'u32', true), v('category_name', 'str', true),
    ];
    vars.push(...argVars(op), ...resVars(op), ...immVars(op), ...memVars(op));
    const target = targetVars(op);
    vars.push(...target.vars);
    if (op.name === 'memory.grow') vars.push(v('failed', 'bool', false));
    const fns = [fn('drop_args', [], null), ...target.fns];
    if (op.name === 'memory.init' || op.name === 'memory.copy' || op.name === 'memory.fill') {
        fns.push(fn('dup_at', [['dst_mem', 'u32'], ['dst_addr', 'u32']], null));
    }
    return {
        rule: `wasm:opcode:${op.name}`, provider: 'wasm', package: 'opcode', event: op.name,
        aliases: aliasesOf(op), modes: modesOfOp(op), vars, fns, doc: opDoc(op), op,
    };
}

function plainEvent(pkg: string, event: string, vars: BoundVar[] = []): WhammEvent {
    const rule = event ? `wasm:${pkg}:${event}` : `wasm:${pkg}`;
    return { rule, provider: 'wasm', package: pkg, event, aliases: [], modes: [], vars, fns: [], doc: EVENT_DOCS[rule] ?? '' };
}

export function buildEvents(): WhammEvent[] {
    const out: WhammEvent[] = [
        plainEvent('begin', ''), plainEvent('end', ''), plainEvent('report', ''),
        plainEvent('func', 'entry'), plainEvent('func', 'exit'),
        plainEvent('block', 'start'), plainEvent('block', 'end', [v('instr_count', 'u32', true)]),
    ];
    for (const op of OPCODES) if (!NO_EVENTS.has(op.proposal)) out.push(opcodeEvent(op));
    return out;
}
