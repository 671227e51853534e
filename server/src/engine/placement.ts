// Queueing compiled probe code at sites: before/after an opcode, function and block events, br_table
// exits, and branch targets.
import type { AppFunction, AppInstr } from './app.js';
import { CodeWriter, OP, RefKind, holdLocal, restoreType, type Template } from './emit.js';
import { type OpcodeProbe } from './probes-at-site.js';
import { depthAt, exitingIndices, underTableIndex } from './branch-targets.js';
import { type ProbeDef } from './script.js';
import type { SiteInfo } from './site.js';
import { type ValType } from './types.js';
import { nullableOf } from '../wasm/types.js';
import { SiteCompiler } from './site-compile.js';
import { type Insertion, type TemplateWrap, NO_GLOBALS } from './insertion.js';
import { needsStack, siteKeyValue } from './operands.js';
import { staticGate, type GateFacts, type StaticGate } from './placement-gate.js';
import { MAX_BATCHED_SITES } from './map-batch.js';
import { Compiler } from './compile.js';
import type { IrExpr } from '../frontend/index.js';

/** Bound variables whose value is the same at every site of a function. */
const FUNCTION_LEVEL = new Set(['fid', 'fname']);

export class Placement extends SiteCompiler {
    /** Per probe: the function last asked about and whether the probe can match there (see offIn). */
    private gates = new Map<ProbeDef, { fid: number; off: boolean; conjuncts: IrExpr[] }>();
    /** Per probe: its predicate as a closure over static site facts (see placement-gate.ts), or null. */
    private staticGates = new Map<ProbeDef, StaticGate | null>();
    private uniformGated = new Map<ProbeDef, boolean>();
    private readonly facts: GateFacts = { fid: 0, pc: 0, opidx: 0 };

    /** The probes, when every one is placed at opcodes only (before, after, at_target); null otherwise. */
    private opcodeOnly: ProbeDef[] | null | undefined;

    /**
     * Nothing of the script can land in `f`: every probe is an opcode probe whose function-level predicate
     * is false here (offIn). The function is then not walked at all (nor typed).
     */
    protected nothingIn(f: AppFunction): boolean {
        if (this.opcodeOnly === undefined) {
            const idx = this.index;
            const placed = new Set<ProbeDef>();
            for (const list of [idx.before, idx.after, idx.atTarget]) for (const ops of list) for (const op of ops ?? []) placed.add(op.probe);
            const other = idx.nesting || idx.funcEntry.length > 0 || idx.funcExit.length > 0 || idx.blockStart.length > 0 || idx.blockEnd.length > 0
                || idx.alt.some(x => x?.length) || placed.size === 0;
            this.opcodeOnly = other ? null : [...placed];
        }
        const ps = this.opcodeOnly;
        if (!ps) return false;
        for (const p of ps) if (!this.offIn(p, f)) return false;
        return true;
    }

    /**
     * The probe's static predicate, for probes that read no operand (for those, a site the predicate
     * rejects is rejected before anything else happens at it: no warning, no site, no code).
     */
    protected staticGateOf(p: ProbeDef): StaticGate | undefined {
        let g = this.staticGates.get(p);
        if (g === undefined) this.staticGates.set(p, g = (!needsStack(p) && staticGate(p)) || null);
        return g ?? undefined;
    }

    /**
     * The probe's code is the same at every site its static predicate accepts: the body reads only names
     * the predicate reads, and nothing per site (no bounds, per-site variables or @static calls).
     */
    private gatedUniform(p: ProbeDef): boolean {
        let u = this.uniformGated.get(p);
        if (u === undefined) {
            const g = this.staticGateOf(p);
            u = !!g && !p.bounds.size && !p.siteVars.length && !p.hasStaticCalls && [...p.uses].every(n => g.predicateOnly.has(n));
            this.uniformGated.set(p, u);
        }
        return u;
    }

    /** False when the probe's static predicate rejects this instruction (undefined: not decided here). */
    private gateAt(p: ProbeDef, f: AppFunction, ins: AppInstr): boolean | undefined {
        const g = this.staticGateOf(p);
        if (!g) return undefined;
        if (g.memarg) ins.detail();
        const x = this.facts;
        x.fid = f.fid; x.pc = ins.pc; x.opidx = ins.opidx;
        x.memarg = ins.memarg && ins.op.mem ? { offset: ins.memarg.offset, align: ins.memarg.align, memory: ins.memarg.memory, bytes: ins.op.mem.bytes } : undefined;
        return g.test(x);
    }

    /**
     * The code cache key: where the static predicate decides the site, its result replaces the names only
     * the predicate reads (the code at two sites differs only in what the body reads).
     */
    protected override cacheKey(p: ProbeDef, mode: string, s: SiteInfo): string {
        const g = this.staticGateOf(p);
        if (!g?.predicateOnly.size) return super.cacheKey(p, mode, s);
        const x = this.facts;
        x.fid = s.fid; x.pc = s.opname === 'entry' ? 0 : s.pc; x.opidx = s.opidx; x.memarg = s.memarg;
        const r = g.test(x);
        if (r === undefined) return super.cacheKey(p, mode, s);
        let key = `${p.index}|${mode}|${s.opname}|?${r ? 1 : 0}`;
        for (const name of p.uses) {
            if (g.predicateOnly.has(name)) continue;
            const v = siteKeyValue(name, s);
            if (v !== undefined) key += `|${name}=${v}`;
        }
        return key;
    }

    /**
     * True when the probe's predicate is false at every site of `f` whatever the site: one of its top-level
     * `&&` operands reads only function-level facts (fid, fname) and literals and folds to false here. Such
     * a function's sites are skipped without building their site facts (a predicate like `fid == 12 && ...`
     * otherwise costs a fold at every instruction of every function).
     */
    protected offIn(p: ProbeDef, f: AppFunction): boolean {
        let g = this.gates.get(p);
        if (!g) this.gates.set(p, g = { fid: -1, off: false, conjuncts: p.predicate && !p.hasStaticCalls ? functionLevelConjuncts(p.predicate) : [] });
        if (!g.conjuncts.length) return false;
        if (g.fid === f.fid) return g.off;
        g.fid = f.fid;
        g.off = false;
        const site: SiteInfo = {
            fid: f.fid, fname: f.name, pc: 0, opidx: 0, opname: '', bytecode: 0, imms: [], args: [], results: [],
            atFuncEnd: false, locals: f.locals, moduleOffset: 0,
        };
        const c = new Compiler(this, this.globals, new CodeWriter(), { site, event: '', mode: '', probeId: p.index, bounds: p.bounds, saved: new Map() }, new Map());
        c.pushScope();
        for (const e of g.conjuncts) {
            try {
                const v = c.condition(e);
                if (v.isConst && !v.v) { g.off = true; break; }
            } catch { /* not foldable here: decided per site */ }
        }
        return g.off;
    }

    /**
     * at_target / semantic_after on br/br_if/br_table: runs at whichever target control goes to. A br
     * always reaches its label; a br_if reaches either its label or its fall-through, so the code runs at
     * every execution (the corpus counts a not-taken br_if too), with arg0 the condition. A branch only
     * moves control (no value, local, global or memory changes), so the code is placed at the branch
     * itself: what it observes is what it would observe at the landing point, and a branch that leaves
     * the function is covered too.
     */
    protected placeAtTarget(f: AppFunction, ins: AppInstr, op: OpcodeProbe, out: Insertion[]): void {
        const p = op.probe;
        if (this.offIn(p, f)) return;
        if ([...p.writes].some(n => /^arg\d+$/.test(n))) {
            // The branch has used its operands by then; placed at the branch, the write would redirect it.
            if (!this.warnedWrites.has(p.index)) this.warnings.push(`probe ${p.index} (${p.rule}): ${op.mode} runs after the branch used its operands, so argN cannot be assigned there; not injected`);
            this.warnedWrites.add(p.index);
            return;
        }
        if (this.gateAt(p, f, ins) === false) return;
        ins.detail();
        const site = this.siteInfo(f, ins, p, op.mode);
        if (!site) return;
        this.placeCompiled(f, ins, p, site, op.mode, `wasm:opcode:${ins.op.name}:${op.mode}`, false, out);
    }

    /** The original instruction's bytes, with a direct callee's index shifted past added imports. */
    protected copyInstruction(w: CodeWriter, ins: AppInstr): void {
        const name = ins.op.name;
        if ((name === 'call' || name === 'return_call' || name === 'ref.func') && ins.callee !== undefined) {
            const shift = ins.callee >= this.app.importedFuncs.length ? this.imports.length : 0;
            w.bytes(this.app.bytes.subarray(ins.start, ins.start + (ins.op.prefix >= 0 ? 2 : 1))).u32(ins.callee + shift);
            return;
        }
        w.bytes(this.app.bytes.subarray(ins.start, ins.end));
    }

    /** Compiles (or reuses) the code of one opcode probe at one site and queues it. */
    protected place(f: AppFunction, ins: AppInstr, op: OpcodeProbe, after: boolean, out: Insertion[], warnedDead: Set<number>): void {
        const p = op.probe;
        const event = ins.op.name;
        if (this.offIn(p, f)) return;
        if (p.siteIndependent) {
            // The same code at every site (e.g. `count++`): compiled once, no per-site records beyond the table.
            let t = this.uniform.get(op);
            if (t === undefined) {
                ins.detail();
                const site = this.siteInfo(f, ins, p, op.mode);
                t = site ? this.compileAt(p, site, op.mode) : null;
                this.uniform.set(op, t);
            }
            if (t !== null) this.placeShared(f, ins, p, event, op.mode, after, t.template, out);
            return;
        }
        const gate = this.gateAt(p, f, ins);
        if (gate === false) return;
        if (gate === true && this.gatedUniform(p)) {
            // The predicate holds and the body reads nothing of the site: the code compiled at the first
            // such site serves every other (the key placeCompiled caches it under, without site facts).
            const c = this.cache.get(`${p.index}|${op.mode}|${event}|?1${this.batchesFull ? '|unbatched' : ''}`);
            if (c === null) return;
            if (c && !c.startInit && !c.argsBefore && !c.batches?.length) {
                this.placeShared(f, ins, p, event, op.mode, after, c.template, out);
                return;
            }
        }
        ins.detail();
        const site = this.siteInfo(f, ins, p, op.mode);
        if (!site) {
            if (!warnedDead.has(p.index) && needsStack(p)) { warnedDead.add(p.index); }
            return;
        }
        this.placeCompiled(f, ins, p, site, op.mode, `wasm:opcode:${event}:${op.mode}`, after, out);
    }

    protected placeEvent(f: AppFunction, ins: AppInstr, p: ProbeDef, event: string, rule: string, out: Insertion[], instrCount?: number, whenTaken = false, wrap?: TemplateWrap): void {
        if (this.offIn(p, f)) return;
        const site: SiteInfo = {
            fid: f.fid, fname: f.name, pc: ins.pc, opidx: ins.opidx, opname: event, bytecode: ins.op.bytecode, imms: [],
            args: [], results: [], atFuncEnd: ins.atFuncEnd, locals: f.locals, moduleOffset: ins.start, instrCount,
        };
        if (!this.boundsAccept(p, site)) return;
        this.placeCompiled(f, ins, p, site, whenTaken ? 'when-taken' : '', `${rule}:<no-mode>`, false, out, false, wrap);
    }

    /** func:exit at a br_table: the probes run when the index selects the function's own label. */
    protected placeTableExit(f: AppFunction, ins: AppInstr, out: Insertion[]): void {
        ins.detail();
        const table = ins.brTable;
        const depth = table && depthAt(f, ins.opidx);
        const exits = table && depth !== undefined ? exitingIndices(table, depth) : undefined;
        if (!table || !exits) return;
        const wrap: TemplateWrap = {
            key: `|table-exit:${exits.cases.join(',')}:${exits.viaDefault}:${table.targets.length}`,
            apply: t => underTableIndex(t, exits, table.targets.length),
        };
        for (const p of this.index.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', out, undefined, false, wrap);
    }

    /** Places code that is the same at every site of the probe (no per-site state): a site row and the shared template. */
    private placeShared(f: AppFunction, ins: AppInstr, p: ProbeDef, event: string, mode: string, after: boolean, template: Template, out: Insertion[]): void {
        const key = ruleKey(ins.op.index, p.index, after);
        let ruleId = this.ruleIdCache.get(key);
        if (ruleId === undefined) { ruleId = this.sites.ruleIdOf(`wasm:opcode:${event}:${mode}`); this.ruleIdCache.set(key, ruleId); }
        this.sites.addWithRuleId(f.fid, ins.pc, ins.opidx, ins.start, p.index, ruleId);
        if (template.bytes.length) out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template, siteGlobals: NO_GLOBALS, probe: p.index });
    }

    protected placeCompiled(f: AppFunction, ins: AppInstr, p: ProbeDef, site: SiteInfo, mode: string, rule: string, after: boolean, out: Insertion[], preSaved = false, wrap?: TemplateWrap): void {
        const compile = () => {
            const key = this.cacheKey(p, mode, site) + (preSaved ? '|presaved' : '') + (wrap ? wrap.key : '') + (this.batchesFull ? '|unbatched' : '');
            let c = this.cache.get(key);
            if (c === undefined) {
                c = this.compileAt(p, site, mode, preSaved);
                if (c && wrap) c = { ...c, template: wrap.apply(c.template) };
                this.cache.set(key, c);
            }
            return c;
        };
        let compiled = compile();
        if (compiled?.batches?.length && this.batchFlushes.length + compiled.batches.length > MAX_BATCHED_SITES) {
            // Out of globals for runs: this and later sites call the runtime once per access.
            this.batchesFull = true;
            compiled = compile();
        }
        if (compiled === null) return;
        const siteGlobals = this.allocSiteVars(p, site, rule, compiled.inits, compiled.batches);
        this.sites.add(site.fid, site.pc, site.opidx, ins.start, p.index, rule);
        if (compiled.startInit) this.siteInits.push({ template: compiled.startInit, siteGlobals });
        if (compiled.argsBefore) {
            const pins = Int32Array.from(compiled.argsBefore, t => this.pinLocal(nullableOf(t)));
            insertBeforeInstruction(out, ins.opidx, { at: ins.opidx, after: false, cut: ins.start, template: operandSaver(compiled.argsBefore), siteGlobals: NO_GLOBALS, pins, probe: p.index });
            out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template: compiled.template, siteGlobals, pins, probe: p.index });
        } else if (compiled.template.bytes.length) out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template: compiled.template, siteGlobals, probe: p.index });
        void f;
    }
}

/** Top-level `&&` operands of a predicate made of literals, fid and fname only (they fold per function). */
function functionLevelConjuncts(pred: IrExpr): IrExpr[] {
    const out: IrExpr[] = [];
    const pending: IrExpr[] = [pred];
    while (pending.length) {
        const e = pending.pop()!;
        if (e.kind === 'binary' && e.op === '&&') { pending.push(e.left, e.right); continue; }
        if (functionLevel(e)) out.push(e);
    }
    return out;
}

function functionLevel(e: IrExpr): boolean {
    const pending: IrExpr[] = [e];
    let names = 0;
    while (pending.length) {
        const x = pending.pop()!;
        switch (x.kind) {
            case 'int': case 'bool': case 'str': case 'float': break;
            case 'bound': if (!FUNCTION_LEVEL.has(x.name)) return false; names++; break;
            case 'binary': pending.push(x.left, x.right); break;
            case 'unary': pending.push(x.operand); break;
            case 'cast': pending.push(x.expr); break;
            default: return false;
        }
    }
    return names > 0;
}

/**
 * Saves the topmost operands (arg0 first) into the template's first locals and leaves the stack as it was.
 * A later template reads them from the same locals: pooled scratch (an if's entry template allocating the
 * same leading locals) or pinned ones (Insertion.pins, for after probes reading argN).
 */
export function operandSaver(args: ValType[]): Template {
    const w = new CodeWriter();
    const slots = args.map(t => holdLocal(w, t));
    for (let i = 0; i < slots.length; i++) w.op(OP.local_set).ref(RefKind.Local, slots[i]);
    for (let i = slots.length - 1; i >= 0; i--) { w.op(OP.local_get).ref(RefKind.Local, slots[i]); restoreType(w, args[i]); }
    return w.finish();
}

/**
 * Queues code that must run right before instruction `at`, after the before-code already queued for it but
 * ahead of an alt that replaces it and of its after-code.
 */
export function insertBeforeInstruction(out: Insertion[], at: number, x: Insertion): void {
    let k = out.length;
    while (k > 0 && out[k - 1].at === at && (out[k - 1].after || out[k - 1].skipTo !== undefined)) k--;
    out.splice(k, 0, x);
}

export function ruleKey(opIndex: number, probe: number, after: boolean): number {
    return opIndex * 4096 + probe * 4 + (after ? 1 : 0);
}
