// Layout of the script's state: script globals (numbered as the reference numbers them), script
// functions, and the globals of per-site variables at each match site.
import type { IrDecl, IrStmt, Span } from '../frontend/index.js';
import { Compiler, CompileError, type Binding, emitConst, type PV } from './compile.js';
import { CodeWriter, OP, place, placedSize } from './emit.js';
import { siteSlots } from './tuples.js';
import { numberScriptGlobals } from './global-numbering.js';
import { mapShape, typeText, wtype, type ProbeDef } from './script.js';
import type { SiteInfo } from './site.js';
import { type Const, type WType, constBits, convert, defaultOf, isFloat, isInt, valTypeOf } from './types.js';
import { InstrumenterHost } from './host.js';
import { NO_GLOBALS } from './insertion.js';
import { BATCH_GLOBALS, type BatchSpec } from './map-batch.js';

export class GlobalLayout extends InstrumenterHost {
    /**
     * Lays out the script's globals and folds static top-level statements into their initial values;
     * returns what must run at start-up instead.
     */
    protected layoutGlobals(): IrStmt[] {
        const globalBase = this.app.globalCount;
        // Script globals first: their indices are fixed before any code refers to them. They sit where the
        // reference puts them (engine/global-numbering.ts), since the report prints them: the reserved
        // range starts as immutable i32 placeholders (the reference's internal globals, a str's length
        // half, the extra values of a tuple's str elements), then each global's leaves overwrite its first
        // entries. Maps follow the range, numbered in name order as the reference numbers them.
        const startCode: IrStmt[] = [];
        const numbering = numberScriptGlobals(this.model);
        for (let i = 0; i < numbering.size; i++) this.newGlobals.push({ type: 'i32', init: 0n, mutable: false });
        const byName = (a: IrDecl, b: IrDecl) => (a.var.name < b.var.name ? -1 : a.var.name > b.var.name ? 1 : 0);
        for (const d of this.model.globals.filter(g => mapShape(g.var.type)).sort(byName)) {
            const index = globalBase + this.newGlobals.length;
            const id = this.newMap(d.var.type);
            this.globals.set(d.var.name, { kind: 'global', t: 'i32', index, map: mapShape(d.var.type) });
            this.newGlobals.push({ type: 'i32', init: BigInt(id), mutable: false });
        }
        // whamm_core.print_map_as_csv(n) numbers the maps in declaration order (SPEC), not by name.
        this.rt.setGlobalMapOrder(this.model.globals.filter(g => mapShape(g.var.type)).map(d => Number(this.newGlobals[(this.globals.get(d.var.name) as { index: number }).index - globalBase].init)));
        for (const d of this.model.globals) {
            const b = this.globals.get(d.var.name);
            if (b?.kind === 'global' && b.map) {
                const id = this.newGlobals[b.index - globalBase].init;
                if (d.var.storage === 'report') this.addReportVar({ name: d.var.name, type: typeText(d.var.type), slot: 0, ids: [Number(id)] }, b.index, 'i32');
                continue;
            }
            const at = numbering.slots.get(d)!;
            const index = globalBase + at.first;
            const ids = Array.from({ length: at.count }, (_, k) => index + k);
            const slots = siteSlots([d]);
            if (slots.shapes[0]) {
                // A tuple: one global per leaf; a non-default initialiser runs at start-up.
                this.globals.set(d.var.name, { kind: 'global', t: 'tuple', index, tuple: slots.shapes[0] });
                slots.leaves.forEach((lt, k) => {
                    this.requireScalar(lt, d);
                    this.newGlobals[at.first + k] = { type: valTypeOf(lt), init: constBits(defaultOf(lt), lt), mutable: true };
                });
                if (d.init) startCode.push(d);
                if (d.var.storage === 'report') {
                    this.addReportVar({ name: d.var.name, type: typeText(d.var.type), slot: 0, ids }, index, valTypeOf(slots.leaves[0]),
                        slots.leaves.slice(1).map((lt, j) => ({ global: index + 1 + j, vt: valTypeOf(lt) })));
                }
                continue;
            }
            const t = wtype(d.var.type);
            this.requireScalar(t, d);
            this.globals.set(d.var.name, { kind: 'global', t, index });
            let init: Const = defaultOf(t);
            if (d.init) {
                const v = this.staticValue(c => c.expr(d.init!, t));
                if (v) init = convert(v.v!, v.t, t); else startCode.push(d);
            }
            this.newGlobals[at.first] = { type: valTypeOf(t), init: constBits(init, t), mutable: true };
            if (d.var.storage === 'report') this.addReportVar({ name: d.var.name, type: t, slot: 0, ids }, index, valTypeOf(t));
        }
        // Top-level statements: folded into initial values where static, otherwise run at start-up.
        for (const s of this.model.topStatements) {
            if (!this.foldTopStatement(s)) startCode.push(s);
        }
        this.declareScriptFunctions();
        return startCode;
    }


    protected requireScalar(t: WType, node: { span: Span }): void {
        if (!(isInt(t) || isFloat(t) || t === 'bool' || t === 'str')) { // str: an i32 handle
            throw new CompileError(`a variable of type ${t} cannot be stored here`, node);
        }
    }

    /** Evaluates something with no site; returns the constant or undefined when it needs run time. */
    protected staticValue(f: (c: Compiler) => PV): PV | undefined {
        const c = new Compiler(this, this.globals, new CodeWriter(), undefined);
        c.pushScope();
        const v = f(c);
        return v.isConst ? v : undefined;
    }

    protected foldTopStatement(s: IrStmt): boolean {
        if (s.kind !== 'assign' || s.target.kind !== 'var') return false;
        const b = this.globals.get(s.target.var.name);
        if (!b || b.kind !== 'global') return false;
        const v = this.staticValue(c => c.expr(s.value, b.t));
        if (!v) return false;
        const g = this.newGlobals[b.index - this.app.globalCount];
        g.init = constBits(convert(v.v!, v.t, b.t), b.t);
        return true;
    }

    protected declareScriptFunctions(): void {
        const base = this.funcBase;
        this.model.functions.forEach((f, i) => {
            const params = f.params.map(p => wtype(p.type));
            const result = wtype(f.result);
            this.scriptFns.set(f.name, { index: base + i, params, result });
        });
        for (const f of this.model.functions) {
            const sig = this.scriptFns.get(f.name)!;
            const w = new CodeWriter();
            const c = new Compiler(this, this.globals, w, undefined, new Map(), sig.result);
            c.pushScope();
            f.params.forEach((p, i) => c.bindParam(p.name, sig.params[i], i));
            c.block(f.body);
            if (sig.result !== 'unit') { emitConst(w, sig.result, defaultOf(sig.result)); }
            w.op(OP.end);
            const t = w.finish();
            const locals = t.locals;
            const resolved = locals.map((_, k) => sig.params.length + k);
            const body = new Uint8Array(placedSize(t, [], resolved));
            place(t, body, 0, [], resolved);
            this.addFunction(sig.params.map(valTypeOf), sig.result === 'unit' ? [] : [valTypeOf(sig.result)], locals, body, false);
        }
    }

    /** Bindings of a probe's per-site variables for alt code (scalars, tuples, maps), ids as allocAltSiteVars numbers them. */
    /** Bindings of a probe's per-site variables to its SiteVar slots (one per scalar or tuple leaf). */
    protected siteVarBindings(p: ProbeDef): Map<string, Binding> {
        const siteVars = new Map<string, Binding>();
        const slotsOf = siteSlots(p.siteVars);
        p.siteVars.forEach((d, k) => {
            const shape = mapShape(d.var.type);
            const id = slotsOf.first[k], tuple = slotsOf.shapes[k];
            siteVars.set(d.var.name, shape ? { kind: 'site', t: 'i32', id, map: shape } : tuple ? { kind: 'site', t: 'tuple', id, tuple } : { kind: 'site', t: wtype(d.var.type), id });
        });
        return siteVars;
    }

    /**
     * Globals of a probe's per-site variables at one site, one per scalar or tuple leaf, starting at `inits`
     * (by leaf; the defaults when absent); report vars are registered with the site.
     */
    protected allocSiteVars(p: ProbeDef, site: SiteInfo, rule: string, inits?: readonly Const[], batches?: readonly BatchSpec[]): ArrayLike<number> {
        if (!p.siteVars.length && !batches?.length) return NO_GLOBALS;
        const slotsOf = siteSlots(p.siteVars);
        const siteGlobals = new Int32Array(slotsOf.leaves.length + BATCH_GLOBALS.length * (batches?.length ?? 0));
        // Batched map increments: their run's globals follow the probe's variables (map-batch.ts).
        batches?.forEach((spec, j) => {
            const first = this.app.globalCount + this.newGlobals.length;
            BATCH_GLOBALS.forEach((t, k) => {
                siteGlobals[slotsOf.leaves.length + BATCH_GLOBALS.length * j + k] = first + k;
                this.newGlobals.push({ type: t, init: 0n, mutable: true });
            });
            this.batchFlushes.push({ spec, first });
        });
        const where = { fname: site.fname || `#${site.fid}`, fid: site.fid, pc: site.pc, probe: this.probeLabel(p.index, this.sites.ruleIdOf(rule)), slot: 0 };
        p.siteVars.forEach((d, k) => {
            const index = this.app.globalCount + this.newGlobals.length;
            const first = slotsOf.first[k];
            const last = k + 1 < slotsOf.first.length ? slotsOf.first[k + 1] : slotsOf.leaves.length;
            if (mapShape(d.var.type)) {
                siteGlobals[first] = index;
                this.newGlobals.push({ type: 'i32', init: BigInt(this.newMap(d.var.type)), mutable: false });
                if (d.var.storage === 'report') this.addReportVar({ name: d.var.name, type: typeText(d.var.type), ...where }, index, 'i32');
                return;
            }
            const types = slotsOf.leaves.slice(first, last);
            types.forEach((lt, j) => {
                siteGlobals[first + j] = index + j;
                this.newGlobals.push({ type: valTypeOf(lt), init: constBits(inits?.[first + j] ?? defaultOf(lt), lt), mutable: true });
            });
            if (d.var.storage === 'report') {
                // The reference prints functions without a name as `#<fid>` (see `where`).
                this.addReportVar({ name: d.var.name, type: typeText(d.var.type), ...where }, index, valTypeOf(types[0]),
                    slotsOf.shapes[k] ? types.slice(1).map((lt, j) => ({ global: index + 1 + j, vt: valTypeOf(lt) })) : undefined);
            }
        });
        return siteGlobals;
    }
}
