// Body rewriting: scratch locals pooled per type across a function's sites, pinned locals, and the copy
// of the original code with the queued insertions spliced in (recording where trap fix-ups land).
import type { AppFunction } from './app.js';
import { type BodyEditPlan } from './app-codec.js';
import { CodeBuilder } from '../wasm/rewrite.js';
import { placeInto } from './emit.js';
import { type ValType } from './types.js';
import { Counters } from './counters.js';
import { type Insertion, SCRATCH_ORDER } from './insertion.js';

export class LocalPool extends Counters {
    protected pinLocal(t: ValType): number {
        this.pinned.push(t);
        return this.pinned.length - 1;
    }

    protected rewriteBody(f: AppFunction, ins: Insertion[]): BodyEditPlan {
        // Queued in instruction order already: before-code, then func/block events, then after-code.
        // Pool types: the usual value types, then any other (typed references) in first-use order.
        const kinds: ValType[] = [...SCRATCH_ORDER];
        const kindOf = new Map<ValType, number>(kinds.map((t, k) => [t, k]));
        const kind = (t: ValType): number => {
            let k = kindOf.get(t);
            if (k === undefined) { k = kinds.length; kinds.push(t); kindOf.set(t, k); }
            return k;
        };
        for (const x of ins) for (let j = x.pins?.length ?? 0; j < x.template.locals.length; j++) kind(x.template.locals[j]);
        const nKinds = kinds.length;
        const counts = new Array<number>(nKinds).fill(0);
        const c = new Array<number>(nKinds).fill(0);
        for (const x of ins) {
            if (x.template.locals.length === 0) continue;
            c.fill(0);
            const locals = x.template.locals;
            for (let j = x.pins?.length ?? 0; j < locals.length; j++) c[kind(locals[j])]++;
            for (let k = 0; k < nKinds; k++) if (c[k] > counts[k]) counts[k] = c[k];
        }
        // Scratch locals follow the function's own: a pool per type shared by every site.
        const typeBase = new Array<number>(nKinds).fill(0);
        const extraLocals: ValType[] = [];
        let acc = f.locals.length;
        for (let k = 0; k < nKinds; k++) {
            typeBase[k] = acc;
            acc += counts[k];
            for (let i = 0; i < counts[k]; i++) extraLocals.push(kinds[k]);
        }
        const pinBase = acc;
        extraLocals.push(...this.pinned);
        this.pinned = [];
        const none = new Int32Array(0);
        const resolved: Int32Array[] = ins.map(x => {
            if (x.template.locals.length === 0) return none;
            const seen = new Array<number>(nKinds).fill(0);
            const pins = x.pins;
            return Int32Array.from(x.template.locals, (t, j) => {
                if (pins && j < pins.length) return pinBase + pins[j];
                const k = kind(t);
                return typeBase[k] + seen[k]++;
            });
        });
        const code = new CodeBuilder();
        const sink = this.input.plan;
        let copied = f.codeStart;
        // Output code offsets of the trap points: copies are spliced in before later bytes of `out`.
        const fixups = this.fnFixups;
        let fi = 0, copiedBytes = 0;
        const func = f.fid + this.imports.length;
        const copy = (from: number, to: number) => {
            for (; fi < fixups.length && fixups[fi].pos < to; fi++) {
                const u = fixups[fi].undo;
                if (fixups[fi].pos < from) continue;
                const t = this.trapFixups;
                t.push(func); t.push(code.out.len + copiedBytes + fixups[fi].pos - from); t.push(u[0]); t.push(u[1]); t.push(u[2]);
            }
            code.copy(from, to);
            copiedBytes += to - from;
        };
        for (let i = 0; i < ins.length; i++) {
            const x = ins[i];
            if (x.cut > copied) { copy(copied, x.cut); copied = x.cut; }
            const at = code.out.len;
            placeInto(x.template, code.out, x.siteGlobals, resolved[i]);
            if (sink) sink.inject(f.fid, x.at, x.skipTo !== undefined ? 'alt' : x.after ? 'after' : 'before', x.probe ?? -1, code.out.buf.subarray(at, code.out.len), at + copiedBytes, code.out.len + copiedBytes);
            if (x.skipTo !== undefined && x.skipTo > copied) copied = x.skipTo;
        }
        if (f.bodyEnd > copied) copy(copied, f.bodyEnd);
        return { extraLocals, code };
    }
}
