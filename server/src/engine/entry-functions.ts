// Functions the instrumentation adds: start-up (initialisers, wasm:begin), wasm:end/report, and the
// report readers the runner calls to read every report variable.
import type { IrStmt } from '../frontend/index.js';
import { Compiler, CompileError, type SiteEnv } from './compile.js';
import { CodeWriter, OP, place, placedSize } from './emit.js';
import { BEGIN_EXPORT, COUNTER_MEMORY_EXPORT, END_EXPORT, READER_BATCH, decodeLayout, type ReportLayout, type ReportVar } from './report-layout.js';
import { encodeBinaryRows } from './report-rows.js';
import { rowCopy } from './report-log.js';
import { type ProbeDef } from './script.js';
import { type ValType } from './types.js';
import { FunctionWalk } from './function-walk.js';
import { emitBatchFlush } from './map-batch.js';

export class EntryFunctions extends FunctionWalk {

    protected emitStart(startCode: IrStmt[]): void {
        if (startCode.length === 0 && this.index.begin.length === 0 && this.siteInits.length === 0) return;
        const w = new CodeWriter();
        const c = new Compiler(this, this.globals, w, undefined);
        c.pushScope();
        for (const s of startCode) {
            if (s.kind === 'decl' && s.init) {
                // A global's initialiser that is not static.
                const b = this.globals.get(s.var.name)!;
                if (b.tuple) c.storeTuple(b, s.init); else c.store(b, c.expr(s.init, b.t));
            } else c.stmt(s);
        }
        for (const x of this.siteInits) {
            const locals = x.template.locals.map(t => w.newLocal(t));
            const code = new Uint8Array(placedSize(x.template, x.siteGlobals, locals));
            place(x.template, code, 0, x.siteGlobals, locals);
            w.bytes(code);
        }
        for (const p of this.index.begin) this.inlineProbe(c, w, p);
        w.op(OP.end);
        // Exported; the runner calls it before the app's entry point.
        this.exports.push({ name: BEGIN_EXPORT, kind: 'func', index: this.finishFunction(w) });
    }

    protected emitEnd(): void {
        const probes = [...this.index.end, ...this.index.report];
        if (probes.length === 0 && this.batchFlushes.length === 0) return;
        const w = new CodeWriter();
        // Pending runs of batched map increments first: the probes and the report read the maps.
        for (const b of this.batchFlushes) emitBatchFlush(w, b.spec, b.first);
        const c = new Compiler(this, this.globals, w, undefined);
        c.pushScope();
        for (const p of probes) this.inlineProbe(c, w, p);
        w.op(OP.end);
        const fid = this.finishFunction(w);
        this.exports.push({ name: END_EXPORT, kind: 'func', index: fid });
        this.endExport = END_EXPORT;
    }

    protected inlineProbe(c: Compiler, w: CodeWriter, p: ProbeDef): void {
        if (p.siteVars.length) throw new CompileError('report/unshared variables need a match site; wasm:begin/end have none', p.siteVars[0]);
        const env: SiteEnv = { event: '', mode: '', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const pc = new Compiler(this, this.globals, w, env);
        pc.pushScope();
        if (p.predicate) {
            const g = pc.condition(p.predicate);
            if (g.isConst && !g.v) return;
            if (!g.isConst) { pc.push(g); w.op(OP.if).blockType(); pc.block(p.body); w.op(OP.end); return; }
        }
        pc.block(p.body);
        void c;
    }

    protected finishFunction(w: CodeWriter): number {
        const t = w.finish();
        const resolved = t.locals.map((_, k) => k);
        const body = new Uint8Array(placedSize(t, [], resolved));
        place(t, body, 0, [], resolved);
        return this.addFunction([], [], t.locals, body);
    }

    /**
     * The report readers and the layout. A big module's layout (with a counter memory) is encoded here, from
     * the row log, and the layout returned is its decoding (rows made only when asked for).
     */
    protected emitReaders(): { layout: ReportLayout; encoded?: Uint8Array } {
        const layout: ReportLayout = { version: 1, script: this.input.scriptPath ?? 'script.mm', vars: [], readers: [] };
        const log = this.reportLog;
        // Every value the readers return, in slot order: a var's global, then a tuple's further leaves.
        const leafGlobals: number[] = [], leafVts: ValType[] = [];
        // With a counter memory (a big module), rows reading the same global share its slot (every site of a
        // counted segment reads the segment's counter) and rows of memory cells read the cells, after the
        // readers' slots; trap fix-ups then name rows. Otherwise each row has slots of its own.
        const shared = this.counterCells > 0;
        const slotOfGlobal = new Map<number, number>();
        let firstCellSlot = 0;
        // Gives every row its slot, in row order (run twice: to list the readers' values, then to write the rows).
        const assign = (collect: boolean, each?: (v: ReportVar, slot: number, row: number) => void): number => {
            let next = 0;
            slotOfGlobal.clear();
            log.forEach((v, g, vt, i) => {
                let s: number;
                const more = g < 0 ? undefined : this.reportMore.get(i);
                const known = shared && !more ? slotOfGlobal.get(g) : undefined;
                if (g < 0) s = firstCellSlot + ~g;
                else if (known !== undefined) s = known;
                else {
                    if (shared && !more) slotOfGlobal.set(g, next);
                    s = next++;
                    if (collect) { leafGlobals.push(g); leafVts.push(vt); }
                    for (const m of more ?? []) { if (collect) { leafGlobals.push(m.global); leafVts.push(m.vt); } next++; }
                }
                each?.(v, s, i);
            });
            return next;
        };
        firstCellSlot = assign(true);
        for (let from = 0; from < leafGlobals.length; from += READER_BATCH) {
            const to = Math.min(from + READER_BATCH, leafGlobals.length);
            const w = new CodeWriter();
            for (let k = from; k < to; k++) {
                this.emitGlobalValue(w, leafGlobals[k]);
                switch (leafVts[k]) {
                    case 'i32': w.op(OP.i64_extend_i32_u); break;
                    case 'f32': w.op(OP.f64_promote_f32).op(OP.i64_reinterpret_f64); break;
                    case 'f64': w.op(OP.i64_reinterpret_f64); break;
                }
            }
            w.op(OP.end);
            const fid = this.addFunction([], new Array<ValType>(to - from).fill('i64'), [], w.finish().bytes);
            const name = `whamm$report${layout.readers.length}`;
            this.exports.push({ name, kind: 'func', index: fid });
            layout.readers.push({ export: name, count: to - from });
        }
        if (shared) layout.counterMemory = { export: COUNTER_MEMORY_EXPORT, cells: this.counterCells, firstSlot: firstCellSlot };
        // A small report's rows are objects of the layout; a big one's are encoded straight from the log.
        if (!shared) assign(false, (v, s) => { layout.vars.push(rowCopy(v, s)); });
        if (this.trapFixups.length) {
            // Flat: func, at, then (first slot, slot count, amount) triples; the first row's slot names the run.
            const t = this.trapFixups;
            const slots = shared ? undefined : layout.vars.map(v => v.slot);
            // A big module has millions of them: a typed array (the layout's JSON writes it in pieces).
            const packed = new Int32Array(t.length / 5 * 6);
            for (let i = 0, o = 0; i < t.length; i += 5, o += 6) {
                packed[o] = t.get(i); packed[o + 1] = t.get(i + 1); packed[o + 2] = 1;
                packed[o + 3] = slots ? slots[t.get(i + 2)] : t.get(i + 2); packed[o + 4] = t.get(i + 3); packed[o + 5] = t.get(i + 4);
            }
            layout.trapFixups = packed;
            if (shared) layout.fixupRows = true;
            t.clear(); // packed: the engine's own list is done with
        }
        if (this.endExport) layout.end = this.endExport;
        if (!shared) return { layout };
        const { vars: _none, ...head } = layout;
        const encoded = encodeBinaryRows(head, log.count, f => { assign(false, (v, s) => { v.slot = s; f(v); }); });
        return { layout: decodeLayout(encoded), encoded };
    }
}
