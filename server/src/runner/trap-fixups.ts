// Exact counters after a trap. The engine merges counter increments over instructions that can only trap
// or fall through (see segmentBoundary in engine/instrument.ts): the increment at a segment's start
// already counts the sites after such an instruction. When one of them traps, the layout says which
// counts to take back for that instruction; V8 names it in the trap's stack (function index and module
// offset of the trapping instruction).
import { bodyLocals, decodeModule } from '../wasm/index.js';
import type { ReportLayout } from '../engine/report-layout.js';

const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

/** Subtracts the counts of sites past the trapping instruction from `slots`; true when a fixup applied. */
export function applyTrapFixups(layout: ReportLayout, bytes: Uint8Array, error: unknown, slots: bigint[]): boolean {
    const fixups = layout.trapFixups;
    if (!fixups?.length) return false;
    const frame = WASM_FRAME.exec(error instanceof Error ? error.stack ?? '' : '');
    if (!frame) return false;
    const func = Number(frame[1]), offset = parseInt(frame[2], 16);
    const candidates = fixups.filter(x => x.func === func);
    if (candidates.length === 0) return false;
    let codeStart: number;
    try {
        const m = decodeModule(bytes);
        const body = m.bodies.find(b => b.func === func);
        if (!body) return false;
        codeStart = bodyLocals(m, body).codeStart;
    } catch {
        return false;
    }
    const hit = candidates.find(x => x.at === offset - codeStart);
    if (!hit) return false;
    for (let i = 0; i < hit.undo.length; i += 2) {
        const slot = hit.undo[i];
        if (slot < slots.length) slots[slot] = BigInt.asIntN(64, slots[slot] - BigInt(hit.undo[i + 1]));
    }
    return true;
}
