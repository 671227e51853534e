// Strided runs of map increments. `m[(addr, is_write)]++` at every load and store (the mem-access
// monitor) would call the runtime once per access; instead each site keeps its current run of accesses
// in four globals (next address, stride, first address, length) and calls the runtime's `map.run` once
// per run, when an access breaks it. A loop walking an array is one run per site; the call per access
// was a third of the monitor's cost. The pending runs are flushed by the end function (whamm$end, which
// the runner calls after the app returns, exits or traps), before any wasm:end/wasm:report probe.
//
// Only maps nobody can read before that are batched: script-global maps whose every use outside
// wasm:end/wasm:report probes is the target of `m[k]++`, in scripts that print no map elsewhere.
import { OP, RefKind, type CodeWriter } from './emit.js';
import type { ProbeDef, ScriptModel } from './script.js';
import { irChildren, type IrExpr, type IrStmt } from '../frontend/index.js';

const MAP_PRINTERS = new Set(['print_map', 'print_map_as_csv']);
/** Block type of an `if` without results. */

/** Globals one batched site adds: next (i32), stride (i32), first (i32), length (i64). */
export const BATCH_GLOBALS: readonly ('i32' | 'i64')[] = ['i32', 'i32', 'i32', 'i64'];
/** Most batched sites per module (4 globals each; V8 allows 1,000,000 globals); the rest call per access. */
export const MAX_BATCHED_SITES = 50_000;

/** Names of the script-global maps whose increments can be batched (see the header). */
export function batchableMaps(model: ScriptModel, endProbes: ReadonlySet<ProbeDef>): Set<string> {
    const names = new Set(model.globals.filter(g => g.var.type.kind === 'map').map(g => g.var.name));
    if (names.size === 0) return names;
    const stack: (IrExpr | IrStmt)[] = [...model.topStatements, ...model.functions.flatMap(f => f.body)];
    for (const p of model.probes) if (!endProbes.has(p)) stack.push(...(p.predicate ? [p.predicate] : []), ...p.body);
    /** `m` in statements `m[k]++`. */
    const incremented = new Set<IrExpr>();
    while (stack.length) {
        const n = stack.pop()!;
        if (n.kind === 'incdec' && n.op === '++' && n.target.kind === 'index') incremented.add(n.target.recv);
        else if (n.kind === 'var') {
            if (names.has(n.var.name) && !incremented.has(n)) names.delete(n.var.name);
        } else if ((n.kind === 'lib-call' && MAP_PRINTERS.has(n.fn)) || (n.kind === 'call' && MAP_PRINTERS.has(n.callee.name))) {
            return new Set();
        }
        stack.push(...irChildren(n));
    }
    return names;
}

/** One batched increment in a probe: the map's id global, the constant bool key leaf, the run import. */
export interface BatchSpec { mapGlobal: number; flag?: number; run: number }

/**
 * The per-site code of a batched `m[(a, flag)]++`, with `a` (i32) on the stack; the site's four globals
 * are SiteVar refs `vars`..`vars+3`, `a` goes through scratch local `tmp`.
 */
export function emitBatchedIncrement(w: CodeWriter, spec: BatchSpec, vars: number, tmp: number): void {
    const NEXT = vars, STRIDE = vars + 1, FIRST = vars + 2, LEN = vars + 3;
    const get = (v: number) => w.op(OP.global_get).ref(RefKind.SiteVar, v);
    const set = (v: number) => w.op(OP.global_set).ref(RefKind.SiteVar, v);
    const a = () => w.op(OP.local_get).ref(RefKind.Local, tmp);
    w.op(OP.local_tee).ref(RefKind.Local, tmp);
    get(NEXT); w.op(OP.i32_eq);
    w.op(OP.if).blockType();
    // The run goes on: one more access at the expected address.
    a(); get(STRIDE); w.op(OP.i32_add); set(NEXT);
    get(LEN); w.op(OP.i64_const).s64(1n); w.op(OP.i64_add); set(LEN);
    w.op(OP.else);
    get(LEN); w.op(OP.i64_const).s64(1n); w.op(OP.i64_eq);
    w.op(OP.if).blockType();
    // The second access of a run sets its stride.
    a(); get(FIRST); w.op(OP.i32_sub); set(STRIDE);
    w.op(OP.i64_const).s64(2n); set(LEN);
    w.op(OP.else);
    // The run broke: flush it, start a new one (expecting the same stride).
    get(LEN); w.op(OP.i64_eqz); w.op(OP.i32_eqz);
    w.op(OP.if).blockType();
    emitRunCall(w, spec, () => { get(FIRST); get(STRIDE); get(LEN); });
    w.op(OP.end);
    a(); set(FIRST);
    w.op(OP.i64_const).s64(1n); set(LEN);
    w.op(OP.end);
    a(); get(STRIDE); w.op(OP.i32_add); set(NEXT);
    w.op(OP.end);
}

function emitRunCall(w: CodeWriter, spec: BatchSpec, operands: () => void): void {
    w.op(OP.global_get).u32(spec.mapGlobal);
    operands();
    if (spec.flag !== undefined) w.op(OP.i32_const).s32(spec.flag);
    w.op(OP.call).u32(spec.run);
}

/** End-function code flushing one site's pending run (globals from `first`, absolute indices). */
export function emitBatchFlush(w: CodeWriter, spec: BatchSpec, first: number): void {
    const LEN = first + 3;
    w.op(OP.global_get).u32(LEN); w.op(OP.i64_eqz); w.op(OP.i32_eqz);
    w.op(OP.if).blockType();
    emitRunCall(w, spec, () => { w.op(OP.global_get).u32(first + 2).op(OP.global_get).u32(first + 1).op(OP.global_get).u32(LEN); });
    w.op(OP.i64_const).s64(0n); w.op(OP.global_set).u32(LEN);
    w.op(OP.end);
}
