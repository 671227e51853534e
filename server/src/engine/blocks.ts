// Block extents: entry/exit/after probes of block, loop, if and else, and alt on block-like opcodes,
// placed at the matching `end`.
import type { AppFunction, AppInstr } from './app.js';
import { type DecodedApp } from './app-codec.js';
import { type OpcodeProbe } from './probes-at-site.js';
import { hasLabels } from './branch-targets.js';
import { blockSignature } from './block-signature.js';
import { Alts } from './alt.js';
import { type Insertion, type BlockAlt, type BlockFrame, type BlockProbeSite, NO_GLOBALS } from './insertion.js';
import { needsStack } from './operands.js';
import { operandSaver } from './placement.js';

export class Blocks extends Alts {
    protected get hasBlockAlts(): boolean { return this.blockAltsKnown ??= this.index.blockAlt.some(x => x !== undefined); }

    /** Replaces each wrapped branch by its re-encoded copy, unless an alt already replaced it. */
    protected queueRelabels(out: Insertion[]): void {
        for (const r of this.shifts.replacements(this.app.bytes)) {
            if (out.some(x => x.skipTo !== undefined && x.cut <= r.start && x.skipTo >= r.end)) continue;
            out.push({ at: r.opidx, after: false, cut: r.start, skipTo: r.end, template: r.template, siteGlobals: NO_GLOBALS });
        }
    }

    /**
     * Block extents: `entry` runs at the start of the body (right after block/loop/if/else), `exit` where
     * the body falls through to its `end` (or to `else`, for the then-arm), `after` past the `end`, where
     * fall-through and branches out of the block meet. Exit/after code is compiled against the opening
     * instruction's site and queued at the `end`; returns true when queued out of order.
     */
    protected trackBlock(f: AppFunction, ins: AppInstr, frames: BlockFrame[], out: Insertion[], skipped: number[]): boolean {
        const idx = this.index;
        const name = ins.op.name;
        const opening = ins.op.blockLike || name === 'else';
        // Branches a guarded block alt may wrap, with the number of constructs open around them.
        if (this.hasBlockAlts && hasLabels(ins.op)) this.shifts.note(ins, frames.length);
        if (opening) {
            let carried: BlockFrame['after'] = [];
            let wholeIf: BlockAlt[] = [];
            let openStart = ins.start;
            if (name === 'else') {
                // The then-arm ends here; the if's after probes (and an alt of the whole if) wait for the shared `end`.
                const top = frames.pop();
                if (top) {
                    for (const x of top.exit) this.placeCompiled(f, ins, x.op.probe, x.site, 'exit', x.rule, false, out);
                    carried = top.after;
                    wholeIf = top.alts;
                    openStart = top.openStart;
                }
            }
            const frame: BlockFrame = { exit: [], after: carried, alts: [...wholeIf], openStart };
            const entry = idx.blockEntry[ins.op.index], exit = idx.blockExit[ins.op.index], after = idx.blockAfter[ins.op.index];
            const alt = idx.blockAlt[ins.op.index];
            if (entry || exit || after || alt) ins.detail();
            if (alt) {
                for (const op of alt) {
                    const site = this.siteInfo(f, ins, op.probe, 'alt');
                    if (!site || !ins.args || !ins.results) continue;
                    // The construct's signature from its block type (the end's types may be unknown:
                    // unreachable code before it); for else, the if's.
                    const sig = blockSignature((this.app as Partial<DecodedApp>).module, this.app.bytes, openStart);
                    if (!sig) {
                        this.warnings.push(`probe ${op.probe.index} (${op.probe.rule}): alt on ${name} with this block type cannot be injected; not injected at fid ${f.fid} pc ${ins.pc}`);
                        continue;
                    }
                    const a: BlockAlt = {
                        op, site: { ...site, imms: [...site.imms] }, pops: name === 'else' ? [] : [...ins.args], results: [...sig.results],
                        opidx: ins.opidx, pc: ins.pc, start: ins.start, level: frames.length + 1,
                    };
                    // alt on else replaces the else arm, from the else up to the if's `end` (placed there).
                    if (name === 'else') { a.elseArm = true; a.ifSig = sig; }
                    frame.alts.push(a);
                }
            }
            const siteOf = (op: OpcodeProbe): BlockProbeSite | undefined => {
                const site = this.siteInfo(f, ins, op.probe, op.mode);
                return site && { op, site: { ...site, imms: [...site.imms] }, rule: `wasm:opcode:${name}:${op.mode}` };
            };
            if (entry) {
                for (const op of entry) {
                    const s = siteOf(op);
                    if (!s) continue;
                    if (name === 'if' && needsStack(op.probe)) {
                        // The condition is gone inside the arm: save the operands just before the if, into
                        // scratch locals the entry code (compiled with the same first locals) reads.
                        out.push({ at: ins.opidx, after: false, cut: ins.start, template: operandSaver(s.site.args), siteGlobals: NO_GLOBALS, probe: op.probe.index });
                        this.placeCompiled(f, ins, op.probe, s.site, 'entry', s.rule, true, out, true);
                    } else this.placeCompiled(f, ins, op.probe, s.site, 'entry', s.rule, true, out);
                }
            }
            if (exit) for (const op of exit) { const s = siteOf(op); if (s) frame.exit.push(s); }
            if (after) for (const op of after) { const s = siteOf(op); if (s) frame.after.push(s); }
            frames.push(frame);
            return false;
        }
        if (name !== 'end' || ins.atFuncEnd) return false;
        const top = frames.pop();
        if (!top || (top.exit.length === 0 && top.after.length === 0 && top.alts.length === 0)) return false;
        let how: 'replaced' | 'guarded' | false = false;
        for (const a of top.alts) {
            how = this.placeBlockAlt(f, a, ins, out);
            if (how === 'replaced') {
                // Code queued inside the replaced range (nested probes) is dropped when the body is rewritten.
                skipped.push(a.start, a.elseArm ? ins.start : ins.end);
            }
            if (how) break;
        }
        if (how !== 'replaced') {
            for (const x of top.exit) this.placeCompiled(f, ins, x.op.probe, x.site, 'exit', x.rule, false, out);
        }
        for (const x of top.after) this.placeCompiled(f, ins, x.op.probe, x.site, 'after', x.rule, true, out);
        return true;
    }
}
