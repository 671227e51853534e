// The instrumented module is checked before anyone writes it: V8 validates it, and when it is invalid the
// failing function and offset V8 names are mapped back through the placed code (which probe put which
// bytes where) to the probe and match site whose injected code breaks it. Where V8 gives no offset, our
// typing pass (wasm/typing.ts) finds the first reachable instruction whose operands it cannot type.
import { bodyLocals, bodyOf, decodeModule, typeBody, UNKNOWN, type WasmModule } from '../wasm/index.js';

/** One placed code fragment: in app function `fid` (original numbering), at bytes [start, end) of its new code. */
export interface PlacedCode {
    fid: number;
    opidx: number;
    where: 'before' | 'after' | 'alt';
    probe: number;
    start: number;
    end: number;
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

/** null when `out` is valid; else what is wrong and, where it can be told, which probe's code. */
export function checkOutput(out: Uint8Array, app: WasmModule, placed: readonly PlacedCode[], addedImports: number, probeRule: (p: number) => string): InvalidOutput | null {
    if (WebAssembly.validate(out)) return null;
    let engine = 'invalid module';
    try { new WebAssembly.Module(out); } catch (e) { engine = (e as Error).message.replace(/^WebAssembly\.Module\(\): /, ''); }
    const fm = /Compiling function #(\d+)/.exec(engine);
    const om = /@\+(\d+)/.exec(engine);
    if (!fm) return { message: `the instrumented module is invalid: ${engine}`, engine };
    const outFid = Number(fm[1]);
    const nImp = app.numImportedFuncs;
    const appFid = outFid < nImp ? outFid : outFid - addedImports;
    if (outFid >= nImp && outFid < nImp + addedImports || appFid >= app.funcTypes.length) {
        return { message: `the instrumented module is invalid in the script's own code (function ${outFid}): ${engine}`, engine };
    }
    let om2: WasmModule;
    try { om2 = decodeModule(out); } catch { return { message: `the instrumented module is invalid: ${engine}`, engine }; }
    const body = bodyOf(om2, outFid);
    if (!body) return { message: `the instrumented module is invalid: ${engine}`, engine };
    const codeStart = bodyLocals(om2, body).codeStart;
    let rel = om ? Number(om[1]) - codeStart : -1;
    if (rel < 0) rel = firstUntypable(om2, outFid, codeStart);
    const here = placed.filter(p => p.fid === appFid);
    const hit = here.find(p => rel >= p.start && rel < p.end) ?? [...here].reverse().find(p => p.start <= rel) ?? here[0];
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
