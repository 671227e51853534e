// `alt`: a probe body replacing an instruction, or a whole block, with a run-time predicate keeping the
// original in an else arm.
import type { AppFunction, AppInstr } from './app.js';
import { Compiler, type SiteEnv, type PV } from './compile.js';
import { CodeWriter, OP, RefKind, holdLocal, restoreType } from './emit.js';
import { nullableOf } from '../wasm/types.js';
import { type OpcodeProbe } from './probes-at-site.js';
import { canRelabel, hasLabels, relabel } from './branch-targets.js';
import { drops, numericOnly, pushDefaults, simpleBlockType } from './block-signature.js';
import { type ValType, type WType, whammTypeOfVal } from './types.js';
import { Placement } from './placement.js';
import { type Insertion, type BlockAlt, NO_GLOBALS } from './insertion.js';

export class Alts extends Placement {

    /**
     * alt: the probe body replaces the instruction. Its operands are popped into scratch locals (argN)
     * and not pushed back; `return e` supplies its result (the type's default otherwise). A predicate
     * decided at run time keeps the original instruction in the else arm of an `if` (a branch's labels
     * re-encoded one deeper, see branch-targets.ts).
     */
    protected placeAlt(f: AppFunction, ins: AppInstr, op: OpcodeProbe, out: Insertion[]): boolean {
        const p = op.probe;
        ins.detail();
        const site = this.siteInfo(f, ins, p, 'alt');
        if (!site) return false;
        if (!ins.args || !ins.results) {
            // Without operand types (typing pass not run, or dead code) the stack effect is unknown.
            if (!this.needsTypes) { this.warnings.push(`probe ${p.index} (${p.rule}): alt needs operand types; run with a probe that reads argN`); }
            return false;
        }
        // Several results: the body's block gives none, their defaults follow it (no block type needed).
        const multi = ins.results.length > 1;
        if (multi && !numericOnly(ins.results)) { this.warnings.push(`probe ${p.index} (${p.rule}): alt on ${ins.op.name} with results of type ${ins.results.join(', ')} cannot be injected; not injected at fid ${f.fid} pc ${ins.pc}`); return false; }
        const w = new CodeWriter();
        const env: SiteEnv = { site, event: site.opname, mode: 'alt', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const slots = site.args.map(t => w.newLocal(t));
        site.args.forEach((t, i) => env.saved.set(`arg${i}`, { id: slots[i], t }));
        const siteVars = this.siteVarBindings(p);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        let guard: PV | undefined;
        if (p.predicate) {
            const pv = c.condition(p.predicate);
            if (!pv.isConst) {
                // Decided at run time: the original instruction runs when the predicate is false. It then
                // sits one block deeper, so its labels are re-encoded one deeper (branch-targets.ts).
                if (hasLabels(ins.op) && !canRelabel(ins.op)) {
                    this.warnings.push(`probe ${p.index} (${p.rule}): a run-time alt predicate on ${ins.op.name} cannot be injected (its immediates cannot be re-encoded); not injected at fid ${f.fid} pc ${ins.pc}`);
                    return false;
                }
                guard = pv;
            } else if (!pv.v) return false;
        }
        for (const id of slots) w.op(OP.local_set).ref(RefKind.Local, id);
        const rv = multi ? undefined : ins.results[0] as ValType | undefined;
        const result: WType = rv ? whammTypeOfVal(rv) : 'unit';
        const bt = rv ?? null;
        // A guarded alt with several results leaves them in scratch locals in both arms.
        const resultLocals = multi && guard ? ins.results.map(t => w.newLocal(t)) : [];
        const setResults = () => { for (let i = resultLocals.length - 1; i >= 0; i--) w.op(OP.local_set).ref(RefKind.Local, resultLocals[i]); };
        let copyAt = -1, copyEnd = -1;
        if (guard) { c.push(guard); w.op(OP.if).blockType(bt); }
        w.op(OP.block).blockType(bt);
        // `return` branches to this block: depth counts the blocks the body opens inside it.
        c.depth = 0;
        c.altBlock = { depth: 0, result };
        c.block(p.body);
        c.altFallthrough();
        w.op(OP.end);
        if (multi) { pushDefaults(w, ins.results); setResults(); }
        if (guard) {
            w.op(OP.else);
            for (let i = slots.length - 1; i >= 0; i--) w.op(OP.local_get).ref(RefKind.Local, slots[i]);
            if (hasLabels(ins.op)) { copyAt = w.length; relabel(this.app.bytes, ins.start, ins.end, l => l + 1, w); copyEnd = w.length; }
            else this.copyInstruction(w, ins);
            setResults();
            w.op(OP.end);
            for (const id of resultLocals) w.op(OP.local_get).ref(RefKind.Local, id);
        }
        const siteGlobals = this.allocSiteVars(p, site, `wasm:opcode:${ins.op.name}:alt`);
        this.sites.add(f.fid, ins.pc, ins.opidx, ins.start, p.index, `wasm:opcode:${ins.op.name}:alt`);
        const x: Insertion = { at: ins.opidx, after: false, cut: ins.start, skipTo: ins.end, template: w.finish(), siteGlobals, probe: p.index };
        out.push(x);
        // Guarded blocks around this one may still need its copy's labels deeper (see queueRelabels).
        if (copyAt >= 0) this.shifts.freeze(ins.opidx, { holder: x, from: copyAt, to: copyEnd });
        return true;
    }

    /**
     * alt on a block-like opcode: the probe body replaces the block from its opening to its `end`.
     * Operands are popped (drop_args is implicit), the block's results are the types' defaults unless the
     * body returns one. A predicate decided at run time keeps the original block in the else arm of an
     * `if` (its branches that leave the block are re-encoded one label deeper once the function is walked).
     * alt on else (the reference): the body replaces the else arm and runs where the then arm ends; the
     * else arm is never entered (a typed if keeps an else arm giving the results' defaults).
     * Returns 'replaced' (code in the replaced range is dropped), 'guarded' (the original code stays) or false.
     */
    protected placeBlockAlt(f: AppFunction, a: BlockAlt, end: AppInstr, out: Insertion[]): 'replaced' | 'guarded' | false {
        const p = a.op.probe;
        const results = a.elseArm ? [] : a.results;
        const bt = simpleBlockType(results);
        if (bt === undefined && !numericOnly(results)) {
            this.warnings.push(`probe ${p.index} (${p.rule}): alt on ${a.site.opname} with results of type ${results.join(', ')} cannot be injected; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        const w = new CodeWriter();
        // Several results of a guarded alt pass through pinned locals (no block type is needed for them).
        const resultLocals = bt === undefined ? results.map(t => w.newLocal(t)) : [];
        const env: SiteEnv = { site: a.site, event: a.site.opname, mode: 'alt', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const slots = a.pops.map(t => w.newLocal(t));
        a.pops.forEach((t, i) => env.saved.set(`arg${i}`, { id: slots[i], t }));
        const siteVars = this.siteVarBindings(p);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        let guard: PV | undefined;
        if (p.predicate) {
            const pv = c.condition(p.predicate);
            if (pv.isConst && !pv.v) return false;
            if (!pv.isConst) guard = pv;
        }
        if (guard && a.elseArm) {
            // The else position is only reached from the then arm: a run-time choice there has no original to fall back to.
            this.warnings.push(`probe ${p.index} (${p.rule}): alt on else needs a predicate known at instrumentation time; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        if (guard && !this.shifts.canWrap(a.opidx, end.opidx)) {
            this.warnings.push(`probe ${p.index} (${p.rule}): a run-time alt predicate on ${a.site.opname} around branches that cannot be re-encoded; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        for (const id of slots) w.op(OP.local_set).ref(RefKind.Local, id);
        if (guard) { c.push(guard); w.op(OP.if).blockType(bt ?? null); }
        const rv = bt !== undefined && results.length === 1 ? results[0] : undefined;
        const result: WType = rv ? whammTypeOfVal(rv) : 'unit';
        w.op(OP.block).blockType(rv ?? null);
        c.depth = 0;
        c.altBlock = { depth: 0, result };
        c.block(p.body);
        c.altFallthrough();
        w.op(OP.end);
        if (bt === undefined) {
            pushDefaults(w, results);
            if (guard) for (let i = resultLocals.length - 1; i >= 0; i--) w.op(OP.local_set).ref(RefKind.Local, resultLocals[i]);
        }
        if (a.elseArm && a.ifSig && (a.ifSig.results.length || a.ifSig.params.length)) {
            // A typed if needs its else arm: it now gives the results' defaults.
            w.op(OP.else);
            drops(w, a.ifSig.params.length);
            pushDefaults(w, a.ifSig.results);
        }
        if (guard) {
            w.op(OP.else);
            for (let i = slots.length - 1; i >= 0; i--) w.op(OP.local_get).ref(RefKind.Local, slots[i]);
        }
        const rule = `wasm:opcode:${a.site.opname}:alt`;
        const siteGlobals = this.allocSiteVars(p, a.site, rule);
        this.sites.add(f.fid, a.pc, a.opidx, a.start, p.index, rule);
        if (!guard) {
            out.push({ at: a.opidx, after: false, cut: a.start, skipTo: a.elseArm ? end.start : end.end, template: w.finish(), siteGlobals, probe: p.index });
            return 'replaced';
        }
        const resultPins = bt === undefined ? Int32Array.from(results, t => this.pinLocal(nullableOf(t))) : undefined;
        // The original block runs in the else arm; the suffix closes the if after its `end`.
        out.push({ at: a.opidx, after: false, cut: a.start, template: w.finish(), siteGlobals, pins: resultPins, probe: p.index });
        const s = new CodeWriter();
        const sl = resultPins ? results.map(t => holdLocal(s, t)) : [];
        for (let i = sl.length - 1; i >= 0; i--) s.op(OP.local_set).ref(RefKind.Local, sl[i]);
        s.op(OP.end);
        sl.forEach((id, i) => { s.op(OP.local_get).ref(RefKind.Local, id); restoreType(s, results[i]); });
        out.push({ at: end.opidx, after: true, cut: end.end, template: s.finish(), siteGlobals: NO_GLOBALS, pins: resultPins, probe: p.index });
        this.shifts.wrapConstruct(a.opidx, end.opidx, a.level);
        return 'guarded';
    }
}
