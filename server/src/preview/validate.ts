// The instrumented module is checked before anyone writes it: V8 validates it, and when it is invalid the
// failing function and offset V8 names are mapped back through the placed code (which probe put which
// bytes where) to the probe and match site whose injected code breaks it. Where V8 gives no offset, our
// typing pass (wasm/typing.ts) finds the first reachable instruction whose operands it cannot type.
import type { PlanSink, PlannedAdditions } from '../engine/instrument-api.js';
import { bodyLocals, bodyOf, decodeModule, typeBody, UNKNOWN, type WasmModule } from '../wasm/index.js';

const WHERE = ['before', 'after', 'alt'] as const;

/**
 * Where each probe's code went (columns: a large instrumentation places millions of fragments). With
 * `only`, just the fragments in that app function (-1: none, only the module's additions).
 */
export class PlacedLog implements PlanSink {
    private cols = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
    length = 0;
    addedImports = 0;

    constructor(private readonly only?: number) {}

    inject(fid: number, opidx: number, where: 'before' | 'after' | 'alt', probe: number, _code: Uint8Array, start: number, end: number): void {
        if (this.only !== undefined && fid !== this.only) return;
        const c = this.cols;
        if (this.length === c[0].length) for (let k = 0; k < c.length; k++) { const n = new Int32Array(c[k].length * 2); n.set(c[k]); c[k] = n; }
        const i = this.length++;
        c[0][i] = fid; c[1][i] = opidx; c[2][i] = WHERE.indexOf(where); c[3][i] = probe; c[4][i] = start; c[5][i] = end;
    }

    added(a: PlannedAdditions): void { this.addedImports = a.imports.length; }

    /** The fragment of function `fid` containing code offset `rel`, else the last one before it, else its first. */
    find(fid: number, rel: number): { fid: number; opidx: number; where: string; probe: number } | undefined {
        const c = this.cols;
        let inside = -1, before = -1, first = -1;
        for (let i = 0; i < this.length; i++) {
            if (c[0][i] !== fid) continue;
            if (first < 0) first = i;
            if (rel >= c[4][i] && rel < c[5][i]) { inside = i; break; }
            if (c[4][i] <= rel) before = i;
        }
        const i = inside >= 0 ? inside : before >= 0 ? before : first;
        return i < 0 ? undefined : { fid, opidx: c[1][i], where: WHERE[c[2][i]], probe: c[3][i] };
    }
}

export interface InvalidOutput {
    /** One line for the user: which probe, where, and V8's reason. */
    message: string;
    probe?: number;
    fid?: number;
    opidx?: number;
    /** V8's own message. */
    engine: string;
}

/**
 * null when `out` is valid; else what is wrong and, where it can be told, which probe's code. `placed` tells
 * where the code went; when it kept no fragments (a big module's would take too much memory while it is
 * instrumented), `placedIn` gives those of the function V8 rejects (the instrumentation replayed for it).
 */
export async function checkOutput(out: Uint8Array, appBytes: Uint8Array, placed: PlacedLog, probeRule: (p: number) => string,
    placedIn?: (appFid: number) => Promise<PlacedLog>): Promise<InvalidOutput | null> {
    if (WebAssembly.validate(out)) return null;
    let engine = 'invalid module';
    try { new WebAssembly.Module(out); } catch (e) { engine = (e as Error).message.replace(/^WebAssembly\.Module\(\): /, ''); }
    const fm = /Compiling function #(\d+)/.exec(engine);
    const om = /@\+(\d+)/.exec(engine);
    let app: WasmModule, res: WasmModule;
    try { app = decodeModule(appBytes); res = decodeModule(out); } catch { return { message: `the instrumented module is invalid: ${engine}`, engine }; }
    if (!fm) return { message: `the instrumented module is invalid: ${engine}`, engine };
    const outFid = Number(fm[1]);
    const nImp = app.numImportedFuncs, k = placed.addedImports;
    const appFid = outFid < nImp ? outFid : outFid - k;
    if ((outFid >= nImp && outFid < nImp + k) || appFid >= app.funcTypes.length) {
        return { message: `the instrumented module is invalid in the script's own code (function ${outFid}): ${engine}`, engine };
    }
    const body = bodyOf(res, outFid);
    if (!body) return { message: `the instrumented module is invalid: ${engine}`, engine };
    const codeStart = bodyLocals(res, body).codeStart;
    let rel = om ? Number(om[1]) - codeStart : -1;
    if (rel < 0) rel = firstUntypable(res, outFid, codeStart);
    const hit = (placedIn ? await placedIn(appFid) : placed).find(appFid, rel);
    if (!hit) return { message: `the instrumented module is invalid in function ${appFid}, where no probe placed code: ${engine}`, fid: appFid, engine };
    const who = hit.probe >= 0 ? `probe ${hit.probe} (${probeRule(hit.probe)})` : 'code shared by several probes';
    return {
        message: `the code of ${who} ${hit.where === 'alt' ? 'replacing' : hit.where} instruction ${hit.opidx} of function ${appFid} makes the module invalid: ${engine}`,
        probe: hit.probe, fid: appFid, opidx: hit.opidx, engine,
    };
}

/** Offset (in the body's code) of the first reachable instruction our typing pass cannot type, else -1. */
function firstUntypable(m: WasmModule, f: number, codeStart: number): number {
    try {
        const t = typeBody(m, f);
        for (let i = 0; i < t.instrs.length; i++) {
            if (!t.unreachable[i] && t.operands[i].includes(UNKNOWN)) return t.instrs[i].offset - codeStart;
        }
    } catch { /* no rule for an instruction: no position */ }
    return -1;
}
