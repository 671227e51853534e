// The per-function walk: visits each instruction once and queues every probe that matches there.
import type { AppFunction, AppInstr } from './app.js';
import { OPCODES } from '../wasm/opcodes.js';
import { LabelShifts } from './branch-targets.js';
import { Blocks } from './blocks.js';
import { type Insertion, type BlockFrame } from './insertion.js';
import { SegmentState } from './counters.js';

export class FunctionWalk extends Blocks {

    // ---------- per function ----------
    protected instrumentFunction(f: AppFunction, warnedDead: Set<number>): void {
        if (this.nothingIn(f)) return;
        const idx = this.index;
        const insertions: Insertion[] = [];
        this.pinned = [];
        this.fnFixups = [];
        this.lastRefFunc = undefined;
        this.shifts = new LabelShifts();
        const hasFuncProbes = idx.funcEntry.length > 0 || idx.funcExit.length > 0;
        const blockProbes = idx.blockStart.length > 0 || idx.blockEnd.length > 0;
        let prevEndsBlock = true;
        let blockLen = 0;
        const instrs = f.instrs(this.needsTypes || blockProbes);
        let pending: AppInstr | undefined;
        // Counter probes (`x++` and nothing else) are merged per straight-line segment: every site of a
        // segment runs exactly as often as its first, so one increment (of n, or of a shared per-site
        // counter) at the first site is exact. Segments end at every instruction that may branch, call
        // or trap, so counts stay exact even when the run ends in a trap.
        const seg = this.counters.length ? new SegmentState(this.counterOps) : undefined;
        // Open blocks (innermost last), with the exit/after probes that run at their `end`.
        const frames: BlockFrame[] = [];
        /** Replaced ranges [from, to) of block alts, pairwise. */
        const skipped: number[] = [];
        let reorder = false;
        const handle = (ins: AppInstr, next: AppInstr | undefined) => {
            const before = idx.before[ins.op.index];
            const after = idx.after[ins.op.index];
            if (before) {
                for (const op of before) {
                    if (seg && op.probe.counter) seg.add(op, ins);
                    else this.place(f, ins, op, false, insertions, warnedDead);
                }
            }
            const atTarget = idx.atTarget[ins.op.index];
            if (atTarget) for (const op of atTarget) this.placeAtTarget(f, ins, op, insertions);
            if (idx.nesting && this.trackBlock(f, ins, frames, insertions, skipped)) reorder = true;
            if (hasFuncProbes) {
                if (ins.opidx === 0) for (const p of idx.funcEntry) this.placeEvent(f, ins, p, 'entry', 'wasm:func:entry', insertions);
                if (ins.op.name === 'return' || ins.atFuncEnd || (ins.op.name === 'br' && ins.exitsFunction) || ins.op.name.startsWith('return_call')) {
                    for (const p of idx.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', insertions);
                } else if (ins.op.name === 'br_if' && ins.exitsFunction) {
                    // Leaves the function only when taken: the exit probes run under the branch condition.
                    for (const p of idx.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', insertions, undefined, true);
                } else if (ins.op.name === 'br_table' && idx.funcExit.length) {
                    this.placeTableExit(f, ins, insertions);
                }
            }
            if (blockProbes) {
                if (prevEndsBlock) { for (const p of idx.blockStart) this.placeEvent(f, ins, p, 'start', 'wasm:block:start', insertions); blockLen = 0; }
                blockLen++;
                const ends = ins.op.endsBlock || next === undefined || next.op.startsBlock;
                if (ends) for (const p of idx.blockEnd) this.placeEvent(f, ins, p, 'end', 'wasm:block:end', insertions, blockLen);
                prevEndsBlock = ends;
            }
            const alt = idx.alt[ins.op.index];
            if (alt) for (const op of alt) if (this.placeAlt(f, ins, op, insertions)) break;
            if (after && !ins.atFuncEnd) for (const op of after) this.place(f, ins, op, true, insertions, warnedDead);
            if (seg) this.segmentBoundary(f, seg, ins, insertions);
        };
        if (!blockProbes) {
            for (const ins of instrs) {
                if (idx.before[ins.op.index] || idx.after[ins.op.index] || idx.alt[ins.op.index] || hasFuncProbes || idx.nesting || idx.atTarget[ins.op.index]) handle(ins, undefined);
                else if (seg) this.segmentBoundary(f, seg, ins, insertions);
                this.lastRefFunc = ins.op.index === REF_FUNC ? refFuncOf(ins) : undefined;
            }
        } else {
            for (const ins of instrs) {
                if (pending) { handle(pending, ins); this.lastRefFunc = pending.op.index === REF_FUNC ? refFuncOf(pending) : undefined; }
                pending = ins;
            }
            if (pending) handle(pending, undefined);
        }
        if (seg) {
            this.flushSegment(f, seg, insertions);
            if (seg.flushed) reorder = true;
        }
        // Branches inside guarded block alts: one label deeper per wrapping `if` they leave.
        if (!this.shifts.empty) { this.queueRelabels(insertions); reorder = true; }
        // Stable: same-place insertions keep their queueing order.
        if (reorder) insertions.sort((a, b) => a.at - b.at || Number(a.after) - Number(b.after));
        if (skipped.length) {
            const inside = (x: Insertion) => {
                for (let k = 0; k < skipped.length; k += 2) {
                    if (x.cut > skipped[k] && x.cut < skipped[k + 1]) return true;
                }
                return false;
            };
            for (let i = insertions.length - 1; i >= 0; i--) if (inside(insertions[i])) insertions.splice(i, 1);
        }
        if (insertions.length) {
            const plan = this.rewriteBody(f, insertions);
            plan.code.compact();
            this.bodies.set(f.fid, plan);
        }
    }
}

const REF_FUNC = OPCODES.findIndex(op => op.name === 'ref.func');
function refFuncOf(ins: AppInstr): number {
    ins.detail();
    return Number(ins.imms[0]);
}
