// Exact counters after a trap. The engine merges counter increments over instructions that can only trap
// or fall through (see segmentBoundary in engine/instrument.ts): the increment at a segment's start
// already counts the sites after such an instruction. When one of them traps, the layout says which
// counts to take back for that instruction; V8 names it in the trap's stack (function index and module
// offset of the trapping instruction).
import { bodyLocals, decodeModule } from '../wasm/index.js';
import type { ReportLayout } from '../engine/report-layout.js';

const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

/**
 * Subtracts the counts of sites past the trapping instruction from `slots`, or, when the fix-ups name rows
 * (rows share slots: layout.fixupRows), adds them to `rows` (row -> amount to subtract); true when a fixup applied.
 */
export function applyTrapFixups(layout: ReportLayout, bytes: Uint8Array, error: unknown, slots: { [i: number]: bigint; readonly length: number }, rows?: Map<number, bigint>): boolean {
    const fixups = layout.trapFixups;
    if (!fixups?.length) return false;
    const frame = WASM_FRAME.exec(error instanceof Error ? error.stack ?? '' : '');
    if (!frame) return false;
    const func = Number(frame[1]), offset = parseInt(frame[2], 16);
    let hitAt = -1, codeStart = -1;
    for (let i = 0; i < fixups.length; i += 3 + 3 * fixups[i + 2]) {
        if (fixups[i] !== func) continue;
        if (codeStart < 0) {
            try {
                const m = decodeModule(bytes);
                const body = m.bodies.find(b => b.func === func);
                if (!body) return false;
                codeStart = bodyLocals(m, body).codeStart;
            } catch {
                return false;
            }
        }
        if (fixups[i + 1] === offset - codeStart) { hitAt = i; break; }
    }
    if (hitAt < 0) return false;
    for (let k = 0, i = hitAt + 3; k < fixups[hitAt + 2]; k++, i += 3) {
        const [first, count, n] = [fixups[i], fixups[i + 1], BigInt(fixups[i + 2])];
        if (layout.fixupRows) {
            for (let row = first; row < first + count; row++) rows?.set(row, (rows.get(row) ?? 0n) + n);
            continue;
        }
        for (let slot = first; slot < first + count && slot < slots.length; slot++) slots[slot] = BigInt.asIntN(64, slots[slot] - n);
    }
    return true;
}
