// Compiling one probe at one site: the site's static facts, bound checks, the code cache key, saving
// operands into scratch locals, and start-up initialisers of per-site variables.
import type { IrDecl } from '../frontend/index.js';
import { findBoundVar, opcodeEvent } from '../catalog/index.js';
import type { AppFunction, AppInstr } from './app.js';
import { Compiler, type Binding, type SiteEnv, type PV } from './compile.js';
import { CodeWriter, OP, RefKind, holdLocal, restoreType, type Template } from './emit.js';
import { boundAccepts } from './probes-at-site.js';
import { siteSlots } from './tuples.js';
import { mapShape, wtype, type ProbeDef } from './script.js';
import type { SiteInfo } from './site.js';
import { type Const, type ValType, convert, defaultOf } from './types.js';
import { isRefType } from '../wasm/types.js';
import { LocalPool } from './local-pool.js';
import { type CompiledProbe, SCRATCH_ORDER } from './insertion.js';
import { declaredType, operandAlias, needsStack, siteKeyValue } from './operands.js';

export class SiteCompiler extends LocalPool {

    protected boundsAccept(p: ProbeDef, s: SiteInfo, mode?: string): boolean {
        const ev = mode === undefined ? undefined : opcodeEvent(s.opname);
        for (const [name, type] of p.bounds) {
            const m = /^(arg|res|local)(\d+)$/.exec(name);
            if (!m) continue;
            // The event must have the operand at all (`return` has none, whatever is on the stack).
            if (m[1] !== 'local' && ev && !findBoundVar(ev, mode, name)) return false;
            const n = Number(m[2]);
            const actual = m[1] === 'arg' ? s.args[n] : m[1] === 'res' ? s.results[n] : s.locals[n];
            if (!boundAccepts(type, actual)) return false;
        }
        return true;
    }

    protected siteInfo(f: AppFunction, ins: AppInstr, p: ProbeDef, mode: string): SiteInfo | undefined {
        const op = ins.op;
        const needs = needsStack(p);
        if (needs && (!ins.args || !ins.results)) return undefined;
        const site: SiteInfo = {
            fid: f.fid, fname: f.name, pc: ins.pc, opidx: ins.opidx, opname: op.name, bytecode: op.bytecode,
            imms: ins.imms, args: ins.args ?? [], results: ins.results ? [...ins.results].reverse() : [], atFuncEnd: ins.atFuncEnd,
            locals: f.locals, moduleOffset: ins.start,
        };
        const ev = opcodeEvent(op.name);
        if (ev && needs) {
            site.argWhamm = site.args.map((_, i) => declaredType(findBoundVar(ev, mode, `arg${i}`)?.type));
            site.resWhamm = site.results.map((_, i) => declaredType(findBoundVar(ev, mode, `res${i}`)?.type));
        }
        if (ins.memarg && op.mem) {
            site.memarg = { ...ins.memarg, bytes: op.mem.bytes, isWrite: op.mem.isWrite };
        }
        if (ins.brTable) site.brTable = ins.brTable;
        // call_ref's callee is known statically when a ref.func pushed it right before.
        if (op.name.endsWith('call_ref')) site.refFunc = this.lastRefFunc ?? -1;
        if (ins.callee !== undefined) {
            const imp = this.app.importedFuncs.find(i => i.fid === ins.callee);
            site.callee = {
                name: imp ? imp.name : this.app.funcName(ins.callee), module: imp ? imp.module : '',
                // Where the callee lives (the corpus compares it with "import" and "local").
                type: imp ? 'import' : 'local',
            };
        }
        if (!this.boundsAccept(p, site, mode)) return undefined;
        return site;
    }

    protected cacheKey(p: ProbeDef, mode: string, s: SiteInfo): string {
        let key = `${p.index}|${mode}|${s.opname}`;
        // @static calls may have state (a counter in the library): evaluate them at every site, in order.
        if (p.hasStaticCalls) return `${key}|@${s.moduleOffset}|${s.fid}|${s.opidx}`;
        for (const name of p.uses) {
            const v = siteKeyValue(name, s);
            if (v !== undefined) key += `|${name}=${v}`;
        }
        return key;
    }

    protected compileStartInits(p: ProbeDef, site: SiteInfo, mode: string, decls: IrDecl[], siteVars: Map<string, Binding>): Template {
        const w = new CodeWriter();
        // No operands at start-up: only names known without running the probe may appear.
        const env: SiteEnv = { site, event: site.opname, mode, probeId: p.index, bounds: p.bounds, saved: new Map() };
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        // The checker allows only names known without running the probe here.
        for (const d of decls) {
            const b = siteVars.get(d.var.name)!;
            c.store(b, c.expr(d.init!, b.t));
        }
        return w.finish();
    }

    /** preSaved: the operands were saved to the template's first locals by earlier code (see operandSaver). */
    protected compileAt(p: ProbeDef, site: SiteInfo, mode: string, preSaved = false): CompiledProbe | null {
        const w = new CodeWriter();
        const env: SiteEnv = { site, event: site.opname, mode, probeId: p.index, bounds: p.bounds, saved: new Map() };
        // Operands (before) or results (after) the probe reads are popped into scratch locals and pushed
        // back afterwards. Both are numbered from the top of the stack: arg0/res0 is the topmost.
        const after = mode === 'after';
        const stack = after ? site.results : site.args;
        const depthOf = (name: string): number => {
            name = operandAlias(name, site);
            const m = /^(arg|res)(\d+)$/.exec(name);
            if (m && (m[1] === 'res') === after) return Number(m[2]);
            if ((name === 'addr' || name === 'effective_addr') && site.memarg && !after) return site.memarg.isWrite ? 1 : 0;
            return -1;
        };
        let deepest = -1;
        for (const name of p.uses) deepest = Math.max(deepest, depthOf(name));
        // dup_at() replays the instruction: it needs all of its operands.
        const dupAt = p.uses.has('dup_at') && !after;
        if (dupAt) deepest = stack.length - 1;
        deepest = Math.min(deepest, stack.length - 1);
        // Writing an operand: it must come back from its local, not stay on the stack under a tee.
        let writesOperand = false;
        if (!after) for (const name of p.writes) if (/^arg\d+$/.test(name) && depthOf(name) >= 0 && depthOf(name) <= deepest) writesOperand = true;
        // `after` reading argN: the operands were saved before the instruction into the first (pinned) locals.
        let argsBefore: ValType[] | undefined;
        if (after && !preSaved) {
            let deepestArg = -1;
            for (const name of p.uses) {
                const m = /^arg(\d+)$/.exec(operandAlias(name, site));
                if (m && Number(m[1]) < site.args.length) deepestArg = Math.max(deepestArg, Number(m[1]));
            }
            if (deepestArg >= 0) {
                argsBefore = site.args.slice(0, deepestArg + 1);
                argsBefore.forEach((t, i) => env.saved.set(`arg${i}`, { id: holdLocal(w, t), t }));
            }
        }
        for (let i = 0; i <= deepest; i++) {
            // Any value type can be held; typed references in a local of their nullable form (holdLocal).
            // call_ref's operand typed only as `funcref` (typing could not tell which function type) cannot.
            if (!(SCRATCH_ORDER.includes(stack[i]) || isRefType(stack[i])) || (i === 0 && !after && site.opname.endsWith('call_ref') && stack[i] === 'funcref')) {
                this.warnings.push(`probe ${p.index} (${p.rule}): cannot hold a ${stack[i]} operand in a local to read ${after ? 'res' : 'arg'}${i} or one below it; not injected at fid ${site.fid} pc ${site.pc}`);
                return null;
            }
        }
        const slots: number[] = [];
        for (let i = 0; i <= deepest; i++) slots.push(holdLocal(w, stack[i]));
        for (const name of p.uses) {
            const d = depthOf(name);
            const operand = operandAlias(name, site);
            if (d >= 0 && d <= deepest && /^(arg|res)\d+$/.test(operand)) env.saved.set(operand, { id: slots[d], t: stack[d] });
        }
        if (dupAt) for (let i = 0; i <= deepest; i++) env.saved.set(`arg${i}`, { id: slots[i], t: stack[i] });
        if (site.memarg && !after && deepest >= 0) {
            const d = site.memarg.isWrite ? 1 : 0;
            if (d <= deepest) env.saved.set(site.memarg.isWrite ? 'arg1' : 'arg0', { id: slots[d], t: stack[d] });
        }
        const siteVars = this.siteVarBindings(p);
        const slotsOf = siteSlots(p.siteVars);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.batchVars = slotsOf.leaves.length;
        c.pushScope();
        let guard: PV | undefined;
        if (p.predicate) {
            const pv = c.condition(p.predicate);
            if (pv.isConst && !pv.v) return null;
            if (!pv.isConst) guard = pv;
        }
        // Per-site variables: static initialisers become the globals' initial values.
        const runsAtStart: IrDecl[] = [];
        const inits: Const[] = p.siteVars.flatMap((d, k): Const | Const[] => {
            if (mapShape(d.var.type)) return 0n;
            // Tuples start at their defaults; an initialiser runs in the body.
            if (slotsOf.shapes[k]) return slotsOf.leaves.slice(slotsOf.first[k], k + 1 < slotsOf.first.length ? slotsOf.first[k + 1] : undefined).map(defaultOf);
            const t = wtype(d.var.type);
            this.requireScalar(t, d);
            if (!d.init) return defaultOf(t);
            const probeC = new Compiler(this, this.globals, new CodeWriter(), env, siteVars);
            probeC.pushScope();
            const v = probeC.expr(d.init, t);
            c.foldedInits.add(d);
            if (v.isConst) return convert(v.v!, v.t, t);
            // A report/unshared variable is initialised once, at start-up (the reference's behaviour:
            // `report var m: u32 = mem_size(0);` holds the size the app started with), not each time the
            // probe runs.
            runsAtStart.push(d);
            return defaultOf(t);
        });
        const startInit = runsAtStart.length ? this.compileStartInits(p, site, mode, runsAtStart, siteVars) : undefined;
        if (preSaved) { /* operands already in the slots */ }
        else if (deepest === 0 && !writesOperand) { w.op(OP.local_tee).ref(RefKind.Local, slots[0]); restoreType(w, stack[0]); }
        else for (let i = 0; i <= deepest; i++) w.op(OP.local_set).ref(RefKind.Local, slots[i]);
        if (guard) { c.push(guard); w.op(OP.if).blockType(); }
        c.block(p.body);
        if (guard) w.op(OP.end);
        if ((deepest > 0 || writesOperand) && !preSaved) for (let i = deepest; i >= 0; i--) { w.op(OP.local_get).ref(RefKind.Local, slots[i]); restoreType(w, stack[i]); }
        if (mode === 'when-taken') {
            // Before a br_if: run the code only when the branch is taken, keeping the condition.
            const body = w.finish();
            const outer = new CodeWriter();
            const cond = outer.newLocal('i32');
            for (const t of body.locals) outer.newLocal(t);
            outer.op(OP.local_tee).ref(RefKind.Local, cond).op(OP.if).blockType();
            // Shift the body's local references by one (the condition's local comes first).
            const refs = Int32Array.from(body.refs);
            for (let i = 0; i < refs.length; i += 3) if (refs[i + 1] === RefKind.Local) refs[i + 2] += 1;
            const start = outer.length;
            outer.bytes(body.bytes);
            const shifted = outer.finish();
            const allRefs = [...shifted.refs, ...Array.from(refs, (v, i) => (i % 3 === 0 ? v + start : v))];
            const tail = new CodeWriter();
            tail.op(OP.end).op(OP.local_get).ref(RefKind.Local, 0);
            const tl = tail.finish();
            const bytes = new Uint8Array(shifted.bytes.length + tl.bytes.length);
            bytes.set(shifted.bytes); bytes.set(tl.bytes, shifted.bytes.length);
            const tailRefs = Array.from(tl.refs, (v, i) => (i % 3 === 0 ? v + shifted.bytes.length : v));
            return { template: { bytes, refs: Int32Array.from([...allRefs, ...tailRefs]), locals: shifted.locals }, inits, batches: c.batches };
        }
        return { template: w.finish(), inits, argsBefore, startInit, batches: c.batches };
    }
}
