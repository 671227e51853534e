// What the preview keeps per decoded app (the language server decodes an app once and keeps it while its
// file is unchanged, so these live as long as the decoded module): text-format names, per opcode the
// functions containing it, each function's instruction count and header line, and the WAT of the
// functions printed so far (printed on first use, one function at a time).
import { cursorOf, type WasmModule } from '../wasm/index.js';
import { funcHeader, printFunc, WatNames, type PrintedFunc } from '../wasm/wat-print.js';

export interface AppIndex {
    names: WatNames;
    /** Opcode-table index -> functions containing it, ascending. */
    opcodeFuncs: Map<number, number[]>;
    /** Instructions per defined function (by function index; the final `end` included). */
    instrCount: Map<number, number>;
}

const INDEX = new WeakMap<WasmModule, AppIndex>();
const NAMES = new WeakMap<WasmModule, WatNames>();
const PRINTED = new WeakMap<WasmModule, Map<number, PrintedFunc>>();
const HEADERS = new WeakMap<WasmModule, Map<number, string>>();
const LINES = new WeakMap<WasmModule, Map<number, string[]>>();

/** The module's text-format names, built once per decoded app. */
export function namesOf(m: WasmModule): WatNames {
    let n = NAMES.get(m);
    if (!n) NAMES.set(m, n = new WatNames(m));
    return n;
}

/** One pass over every body, once per decoded app. */
export function appIndex(m: WasmModule): AppIndex {
    let idx = INDEX.get(m);
    if (idx) return idx;
    const opcodeFuncs = new Map<number, number[]>();
    const instrCount = new Map<number, number>();
    for (const b of m.bodies) {
        const c = cursorOf(m, b.func);
        const seen = new Set<number>();
        let n = 0;
        while (c.next()) { seen.add(c.op.index); n++; }
        instrCount.set(b.func, n);
        for (const o of seen) { let a = opcodeFuncs.get(o); if (!a) opcodeFuncs.set(o, a = []); a.push(b.func); }
    }
    INDEX.set(m, idx = { names: namesOf(m), opcodeFuncs, instrCount });
    return idx;
}

/** The printed WAT of defined function `f` (printed once per decoded app). */
export function printedFunc(m: WasmModule, f: number): PrintedFunc {
    let byFid = PRINTED.get(m);
    if (!byFid) PRINTED.set(m, byFid = new Map());
    let p = byFid.get(f);
    if (!p) byFid.set(f, p = printFunc(m, f, namesOf(m)));
    return p;
}

/** The first line of function `f`'s text. */
export function headerOf(m: WasmModule, f: number): string {
    let byFid = HEADERS.get(m);
    if (!byFid) HEADERS.set(m, byFid = new Map());
    let h = byFid.get(f);
    if (h === undefined) byFid.set(f, h = funcHeader(m, f, namesOf(m)));
    return h;
}

/** Each instruction of function `f` as its line of the preview (indented by nesting), built once per decoded app. */
export function instrLines(m: WasmModule, f: number): string[] {
    let byFid = LINES.get(m);
    if (!byFid) LINES.set(m, byFid = new Map());
    let l = byFid.get(f);
    if (!l) byFid.set(f, l = printedFunc(m, f).instrs.map(ins => `${'  '.repeat(Math.max(1, ins.depth))}${ins.text}`));
    return l;
}
