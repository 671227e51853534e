// Re-emitting a module with changes. Everything not changed is copied byte for byte from the input:
// whole sections, whole function bodies, and inside an edited body the original code ranges the caller
// keeps. Additions (types, function imports, globals, functions, exports, custom sections) are appended.
// Adding function imports shifts every defined function's index; the rewriter then patches each place a
// function index lives: call / return_call / ref.func in bodies (copied ranges included), element
// segments, global and table initialisers, exports, the start function and the name section.
//
// Order of use: add imports first (addFuncImport), then build code that refers to final indices
// (funcIndex(old) maps an original index), then edit bodies / add functions, then emit().

import { EXTERN_KINDS, bodyLocals, type ExternKind, type Range, type SectionInfo, type WasmModule } from './decode.js';
import { ByteWriter, emitInstr } from './encode.js';
import { scanInstr, type Imm, type MemArg } from './instructions.js';
import { type OpInfo } from './opcodes.js';
import { Reader } from './reader.js';
import type { ValType } from './types.js';

/** Code of an edited body: original ranges (module offsets) to copy, and new bytes, in order. */
export type CodePiece = Uint8Array | Range;

export interface BodyEdit {
    /** Locals appended after the original ones (see firstExtraLocal for their indices). */
    readonly extraLocals?: readonly ValType[];
    /** The whole instruction sequence of the new body, final `end` included. */
    readonly code: readonly CodePiece[] | CodeBuilder;
}

/**
 * Collects a body's code as copied original ranges interleaved with new bytes. New bytes go to one
 * growing buffer (`out`, usable directly as a ByteWriter for hot loops); copies are recorded as
 * (position in out, start, end) so building allocates nothing per instruction.
 */
export class CodeBuilder {
    readonly out = new ByteWriter(256);
    private copies: number[] = [];

    /** Copies original code [start, end) (module offsets at instruction boundaries). */
    copy(start: number, end: number): this {
        if (end <= start) return this;
        const c = this.copies, n = c.length;
        if (n && c[n - 3] === this.out.len && c[n - 1] === start) c[n - 1] = end;
        else c.push(this.out.len, start, end);
        return this;
    }

    emit(op: OpInfo | string, ...imms: (Imm | Partial<MemArg>)[]): this {
        emitInstr(this.out, op, ...imms);
        return this;
    }

    raw(bytes: Uint8Array | readonly number[]): this {
        this.out.bytes(bytes);
        return this;
    }

    /** Drops spare capacity once the code is complete (builders wait for the module's assembly). */
    compact(): this {
        this.out.trim();
        this.copies = this.copies.slice();
        return this;
    }

    /** Writes the code: new bytes and original ranges (through `copyRange`, which may remap them). */
    writeTo(w: ByteWriter, copyRange: (w: ByteWriter, start: number, end: number) => void): void {
        const c = this.copies, buf = this.out.buf;
        let pos = 0;
        for (let i = 0; i < c.length; i += 3) {
            if (c[i] > pos) w.copy(buf, pos, c[i]);
            copyRange(w, c[i + 1], c[i + 2]);
            pos = c[i];
        }
        if (this.out.len > pos) w.copy(buf, pos, this.out.len);
    }

    /** The code as pieces (new bytes are views into this builder's buffer). */
    finish(): CodePiece[] {
        const pieces: CodePiece[] = [];
        const c = this.copies, buf = this.out.buf;
        let pos = 0;
        for (let i = 0; i < c.length; i += 3) {
            if (c[i] > pos) pieces.push(buf.subarray(pos, c[i]));
            pieces.push({ start: c[i + 1], end: c[i + 2] });
            pos = c[i];
        }
        if (this.out.len > pos) pieces.push(buf.subarray(pos, this.out.len));
        return pieces;
    }
}

interface NewFunc { type: number; locals: readonly ValType[]; code: Uint8Array; name?: string }

const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

export class ModuleRewriter {
    private readonly newTypes: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
    private readonly newImports: { module: string; name: string; type: number; fname?: string }[] = [];
    private readonly newGlobals: { type: ValType; mutable: boolean; init: Uint8Array }[] = [];
    private readonly newFuncs: NewFunc[] = [];
    private readonly newExports: { name: string; kind: ExternKind; index: number }[] = [];
    private readonly newCustoms: { name: string; bytes: Uint8Array | readonly Uint8Array[] }[] = [];
    private readonly newMemories: number[] = [];
    private readonly edits = new Map<number, BodyEdit>();
    private frozenImports = false;
    private readonly scan: Reader;

    constructor(readonly module: WasmModule) {
        this.scan = new Reader(module.bytes);
    }

    /** Number of function imports added so far (the shift applied to defined functions). */
    get addedImports(): number { return this.newImports.length; }

    /** Final index of original function `f`. */
    funcIndex(f: number): number {
        return f < this.module.numImportedFuncs ? f : f + this.newImports.length;
    }

    /** Index of a function type with this signature: an existing plain one, or a new one. */
    addFuncType(params: readonly ValType[], results: readonly ValType[]): number {
        const key = `${params.join(',')}>${results.join(',')}`;
        const i = this.module.types.findIndex((t) => !t.gc && t.comp.kind === 'func' && `${t.comp.params.join(',')}>${t.comp.results.join(',')}` === key);
        if (i >= 0) return i;
        const j = this.newTypes.findIndex((t) => `${t.params.join(',')}>${t.results.join(',')}` === key);
        if (j >= 0) return this.module.types.length + j;
        this.newTypes.push({ params: [...params], results: [...results] });
        return this.module.types.length + this.newTypes.length - 1;
    }

    /** Adds a function import; returns its (final) function index. Call before editing any code. */
    addFuncImport(module: string, name: string, type: number, debugName?: string): number {
        if (this.frozenImports) throw new Error('addFuncImport must be called before editBody/addFunction (it shifts function indices)');
        this.newImports.push({ module, name, type, fname: debugName });
        return this.module.numImportedFuncs + this.newImports.length - 1;
    }

    /** Adds a defined global; `init` is a constant expression including its final `end` (0x0b). */
    addGlobal(type: ValType, mutable: boolean, init: Uint8Array): number {
        this.newGlobals.push({ type, mutable, init });
        return this.module.globals.length + this.newGlobals.length - 1;
    }

    /** Convenience: a mutable global initialised to zero of a numeric type. */
    addZeroGlobal(type: 'i32' | 'i64' | 'f32' | 'f64', mutable = true): number {
        const w = new ByteWriter(16);
        if (type === 'i32') emitInstr(w, 'i32.const', 0);
        else if (type === 'i64') emitInstr(w, 'i64.const', 0n);
        else if (type === 'f32') emitInstr(w, 'f32.const', 0);
        else emitInstr(w, 'f64.const', 0);
        w.byte(0x0b);
        return this.addGlobal(type, mutable, w.finish().slice());
    }

    /** Adds a function; `code` is its instruction bytes including the final `end`. Returns its index. */
    addFunction(type: number, locals: readonly ValType[], code: Uint8Array | CodeBuilder, debugName?: string): number {
        this.frozenImports = true;
        const bytes = code instanceof CodeBuilder ? concatPieces(this.module.bytes, code.finish()) : code;
        this.newFuncs.push({ type, locals, code: bytes, name: debugName });
        return this.module.funcTypes.length + this.newImports.length + this.newFuncs.length - 1;
    }

    /** Adds a defined memory (memory32, no maximum) of `minPages` 64 KiB pages; returns its index. */
    addMemory(minPages: number): number {
        this.newMemories.push(minPages);
        return this.module.memories.length + this.newMemories.length - 1;
    }

    addExport(name: string, kind: ExternKind, index: number): void {
        this.newExports.push({ name, kind, index });
    }

    /** Appends a custom section; its content may be given in pieces. */
    addCustomSection(name: string, bytes: Uint8Array | readonly Uint8Array[]): void {
        this.newCustoms.push({ name, bytes });
    }

    /** Index of the first local appended by an edit of original function `f` (params + declared locals). */
    firstExtraLocal(f: number): number {
        const body = this.module.bodies[f - this.module.numImportedFuncs];
        if (!body) throw new Error(`function ${f} has no body`);
        return bodyLocals(this.module, body).locals.length;
    }

    /** Replaces the body of original function `f` (original index). Code must use final indices. */
    editBody(f: number, edit: BodyEdit): void {
        if (f < this.module.numImportedFuncs || f >= this.module.funcTypes.length) throw new Error(`function ${f} has no body`);
        this.frozenImports = true;
        this.edits.set(f, edit);
    }

    /** The rewritten module. With no changes it equals the input byte for byte. */
    emit(): Uint8Array {
        return joinParts(this.emitParts());
    }

    /**
     * The rewritten module in parts, in order (joinParts gives emit()'s result). With `code`, the code
     * section's entries for the module's own functions are those already encoded (encodeBody, in function
     * order, one per function) rather than built from the edits, and `code` itself is one of the parts;
     * byte parts may be views into the input module.
     */
    emitParts(code?: EncodedBodies): ModulePart[] {
        const m = this.module;
        const pieces: ModulePart[] = [];
        let out = new ByteWriter(4096);
        const flush = () => { if (out.len) pieces.push(out.finish()); out = new ByteWriter(4096); };
        // Big runs of input bytes (a data section, a raw code section) are handed over as views.
        const raw = (start: number, end: number) => {
            if (end - start < RAW_VIEW_BYTES) { out.copy(m.bytes, start, end); return; }
            flush();
            pieces.push(m.bytes.subarray(start, end));
        };
        raw(0, 8);
        const present = new Set(m.sections.map((s) => s.id));
        const pending = this.synthesizedSections(present);
        let lastOrder = 0;
        const flushPendingBefore = (order: number) => {
            for (const [id, build] of pending) {
                if (SECTION_ORDER[id] > lastOrder && SECTION_ORDER[id] < order) { this.writeSection(out, id, build()); pending.delete(id); }
            }
        };
        for (const s of m.sections) {
            if (s.id !== 0) {
                flushPendingBefore(SECTION_ORDER[s.id]);
                lastOrder = SECTION_ORDER[s.id];
            }
            if (s.id === 10 && (this.codeChanged() || code?.edited)) {
                if (!code) { this.emitCode(out, s); continue; }
                if (code.count !== m.bodies.length) throw new Error(`encoded ${code.count} of ${m.bodies.length} function bodies`);
                const added = this.appendBodies(new ByteWriter(1024));
                const count = new ByteWriter(8).u32(m.bodies.length + this.newFuncs.length);
                out.byte(10).u32(count.len + code.size + added.len).copy(count.buf, 0, count.len);
                flush();
                pieces.push(code);
                out.copy(added.buf, 0, added.len);
            } else if (s.id === 10 || (s.id !== 0 && !this.sectionChanged(s.id))) raw(s.start, s.end);
            else this.emitSection(out, s);
        }
        flushPendingBefore(Infinity);
        for (const c of this.newCustoms) {
            const parts = c.bytes instanceof Uint8Array ? [c.bytes] : c.bytes;
            const head = new ByteWriter(c.name.length + 16).name(c.name);
            out.byte(0).u32(head.len + parts.reduce((n, p) => n + p.length, 0)).copy(head.buf, 0, head.len);
            flush();
            for (const p of parts) pieces.push(p);
        }
        flush();
        return pieces;
    }

    /** Whether the code section differs from the input's. */
    private codeChanged(): boolean {
        return this.newImports.length > 0 || this.edits.size > 0 || this.newFuncs.length > 0;
    }

    /** Whether a known non-custom section is rebuilt (else it is copied as it is). */
    private sectionChanged(id: number): boolean {
        const shift = this.newImports.length, m = this.module;
        switch (id) {
            case 1: return this.newTypes.length > 0;
            case 2: return shift > 0;
            case 3: return this.newFuncs.length > 0;
            case 4: return shift > 0 && m.tables.some((t) => t.init);
            case 5: return this.newMemories.length > 0;
            case 6: return shift > 0 || this.newGlobals.length > 0;
            case 7: return shift > 0 || this.newExports.length > 0;
            case 8: case 9: return shift > 0;
            default: return false;
        }
    }

    /**
     * Appends the code section entry (size, locals, code) of original function `f` to `w`: edited by `edit`,
     * else as it is (function indices remapped when imports were added). `scratch` holds the content
     * while its size is unknown. Code must use final indices (add imports first).
     */
    encodeBody(f: number, edit: BodyEdit | undefined, w: ByteWriter, scratch: ByteWriter): void {
        const m = this.module, b = m.bytes;
        const body = m.bodies[f - m.numImportedFuncs];
        if (!body || body.func !== f) throw new Error(`function ${f} has no body`);
        if (edit) this.frozenImports = true;
        const content = scratch.reset();
        if (!edit) {
            if (!this.newImports.length) { w.copy(b, body.start, body.end); return; }
            // Same locals, code re-walked to patch function indices.
            const { codeStart } = bodyLocals(m, body);
            content.copy(b, body.contentStart, codeStart);
            this.copyRemapped(content, codeStart, body.end);
            w.u32(content.len).copy(content.buf, 0, content.len);
            return;
        }
        const { groups, codeStart } = bodyLocals(m, body);
        if (edit.extraLocals?.length) writeLocals(content, groups, edit.extraLocals);
        else content.copy(b, body.contentStart, codeStart);
        if (edit.code instanceof CodeBuilder) edit.code.writeTo(content, this.copyCode);
        else {
            for (const piece of edit.code) {
                if (piece instanceof Uint8Array) content.bytes(piece);
                else this.copyCode(content, piece.start, piece.end);
            }
        }
        w.u32(content.len).copy(content.buf, 0, content.len);
    }

    // ---- sections ----

    private writeSection(out: ByteWriter, id: number, content: ByteWriter): void {
        out.byte(id).sized(content);
    }

    /** Sections the additions need but the module lacks. */
    private synthesizedSections(present: Set<number>): Map<number, () => ByteWriter> {
        const p = new Map<number, () => ByteWriter>();
        const vec = (items: number) => new ByteWriter().u32(items);
        if (this.newTypes.length && !present.has(1)) p.set(1, () => this.appendTypes(vec(this.newTypes.length)));
        if (this.newImports.length && !present.has(2)) p.set(2, () => this.appendImports(vec(this.newImports.length)));
        if (this.newFuncs.length && !present.has(3)) p.set(3, () => this.appendFuncDecls(vec(this.newFuncs.length)));
        if (this.newMemories.length && !present.has(5)) p.set(5, () => this.appendMemories(vec(this.newMemories.length)));
        if (this.newGlobals.length && !present.has(6)) p.set(6, () => this.appendGlobals(vec(this.newGlobals.length)));
        if (this.newExports.length && !present.has(7)) p.set(7, () => this.appendExports(vec(this.newExports.length)));
        if (this.newFuncs.length && !present.has(10)) p.set(10, () => this.appendBodies(vec(this.newFuncs.length)));
        return p;
    }

    private emitSection(out: ByteWriter, s: SectionInfo): void {
        const m = this.module, b = m.bytes;
        const shift = this.newImports.length;
        const raw = () => out.copy(b, s.start, s.end);
        const r = new Reader(b, s.contentStart, s.end);
        switch (s.id) {
            case 1: if (!this.newTypes.length) return void raw(); return this.rebuildVec(out, s, this.newTypes.length, (w) => this.appendTypes(w));
            case 2: if (!shift) return void raw(); return this.rebuildVec(out, s, shift, (w) => this.appendImports(w));
            case 3: if (!this.newFuncs.length) return void raw(); return this.rebuildVec(out, s, this.newFuncs.length, (w) => this.appendFuncDecls(w));
            case 4: {
                if (!shift || !m.tables.some((t) => t.init)) return void raw();
                const w = new ByteWriter(s.end - s.contentStart + 16);
                let pos = s.contentStart;
                for (const t of m.tables) if (t.init) { w.copy(b, pos, t.init.start); this.copyRemapped(w, t.init.start, t.init.end); pos = t.init.end; }
                w.copy(b, pos, s.end);
                return this.writeSection(out, 4, w);
            }
            case 5: if (!this.newMemories.length) return void raw(); return this.rebuildVec(out, s, this.newMemories.length, (w) => this.appendMemories(w));
            case 6: {
                if (!shift && !this.newGlobals.length) return void raw();
                const count = r.u32();
                const w = new ByteWriter(s.end - s.contentStart + 64).u32(count + this.newGlobals.length);
                let pos = r.pos;
                if (shift) for (const g of m.definedGlobals) { w.copy(b, pos, g.init.start); this.copyRemapped(w, g.init.start, g.init.end); pos = g.init.end; }
                w.copy(b, pos, s.end);
                return this.writeSection(out, 6, this.appendGlobals(w));
            }
            case 7: {
                if (!shift && !this.newExports.length) return void raw();
                const w = new ByteWriter(s.end - s.contentStart + 64).u32(m.exports.length + this.newExports.length);
                for (const e of m.exports) {
                    if (e.kind === 'func' && shift) w.name(e.name).byte(0).u32(this.funcIndex(e.index));
                    else w.copy(b, e.start, e.end);
                }
                return this.writeSection(out, 7, this.appendExports(w));
            }
            case 8: if (!shift) return void raw(); return this.writeSection(out, 8, new ByteWriter(8).u32(this.funcIndex(m.start!)));
            case 9: {
                if (!shift) return void raw();
                const w = new ByteWriter(s.end - s.contentStart + 64);
                let pos = s.contentStart;
                for (const seg of m.elements) {
                    if (seg.funcs && seg.funcRanges) {
                        seg.funcs.forEach((f, i) => { w.copy(b, pos, seg.funcRanges![i].start).u32(this.funcIndex(f)); pos = seg.funcRanges![i].end; });
                    } else if (seg.exprs) {
                        for (const e of seg.exprs) { w.copy(b, pos, e.start); this.copyRemapped(w, e.start, e.end); pos = e.end; }
                    }
                }
                w.copy(b, pos, s.end);
                return this.writeSection(out, 9, w);
            }
            case 10: return this.emitCode(out, s);
            case 0: if (s.name === 'name' && (shift || this.newFuncs.some((f) => f.name) || this.newImports.some((i) => i.fname))) return this.emitNames(out, s); return void raw();
            default: return void raw();
        }
    }

    /** Original vector entries copied raw, the count raised by `added`, new entries appended by `append`. */
    private rebuildVec(out: ByteWriter, s: SectionInfo, added: number, append: (w: ByteWriter) => ByteWriter): void {
        const r = new Reader(this.module.bytes, s.contentStart, s.end);
        const count = r.u32();
        const w = new ByteWriter(s.end - s.contentStart + 64).u32(count + added).copy(this.module.bytes, r.pos, s.end);
        this.writeSection(out, s.id, append(w));
    }

    private appendTypes(w: ByteWriter): ByteWriter {
        for (const t of this.newTypes) {
            w.byte(0x60).u32(t.params.length);
            for (const p of t.params) w.valType(p);
            w.u32(t.results.length);
            for (const x of t.results) w.valType(x);
        }
        return w;
    }

    private appendImports(w: ByteWriter): ByteWriter {
        for (const i of this.newImports) w.name(i.module).name(i.name).byte(0).u32(i.type);
        return w;
    }

    private appendFuncDecls(w: ByteWriter): ByteWriter {
        for (const f of this.newFuncs) w.u32(f.type);
        return w;
    }

    private appendGlobals(w: ByteWriter): ByteWriter {
        for (const g of this.newGlobals) w.valType(g.type).byte(g.mutable ? 1 : 0).bytes(g.init);
        return w;
    }

    private appendMemories(w: ByteWriter): ByteWriter {
        for (const pages of this.newMemories) w.byte(0).u32(pages);
        return w;
    }

    private appendExports(w: ByteWriter): ByteWriter {
        for (const e of this.newExports) w.name(e.name).byte(EXTERN_KINDS.indexOf(e.kind)).u32(e.index);
        return w;
    }

    private appendBodies(w: ByteWriter): ByteWriter {
        for (const f of this.newFuncs) {
            const body = new ByteWriter(f.code.length + 16);
            writeLocals(body, [], f.locals);
            body.bytes(f.code);
            w.sized(body);
        }
        return w;
    }

    private emitCode(out: ByteWriter, s: SectionInfo): void {
        const m = this.module, b = m.bytes;
        if (!this.codeChanged()) { out.copy(b, s.start, s.end); return; }
        const w = new ByteWriter(2 * (s.end - s.contentStart) + 1024).u32(m.bodies.length + this.newFuncs.length);
        // One scratch writer for every body's content: it is copied into the section once its size is known.
        const content = new ByteWriter(1 << 16);
        for (const body of m.bodies) this.encodeBody(body.func, this.edits.get(body.func), w, content);
        this.writeSection(out, 10, this.appendBodies(w));
    }

    private readonly copyCode = (w: ByteWriter, start: number, end: number): void => {
        if (this.newImports.length) this.copyRemapped(w, start, end);
        else w.copy(this.module.bytes, start, end);
    };

    /** Copies original instructions [start, end), rewriting function indices of call/return_call/ref.func. */
    private copyRemapped(w: ByteWriter, start: number, end: number): void {
        const b = this.module.bytes;
        if (!this.newImports.length) { w.copy(b, start, end); return; }
        // One reader reused for every range: edited bodies can have a range per instruction.
        const r = this.scan;
        r.pos = start;
        r.end = end;
        let run = start;
        while (r.pos < end) {
            const at = r.pos;
            const op = scanInstr(r);
            if (op.prefix < 0 && (op.code === 0x10 || op.code === 0x12 || op.code === 0xd2)) {
                w.copy(b, run, at);
                const after = r.pos;
                r.pos = at + 1;
                const f = r.u32();
                r.pos = after;
                w.byte(op.code).u32(this.funcIndex(f));
                run = after;
            }
        }
        w.copy(b, run, end);
    }

    private emitNames(out: ByteWriter, s: SectionInfo): void {
        const m = this.module, b = m.bytes;
        const r = new Reader(b, s.contentStart, s.end);
        const w = new ByteWriter(s.end - s.contentStart + 256);
        w.name(r.name());
        let wroteFuncs = false;
        const writeFuncNames = () => {
            const entries: [number, string][] = [];
            for (const [f, n] of m.names.funcs) entries.push([this.funcIndex(f), n]);
            this.newImports.forEach((imp, i) => { if (imp.fname) entries.push([m.numImportedFuncs + i, imp.fname]); });
            const base = m.funcTypes.length + this.newImports.length;
            this.newFuncs.forEach((f, i) => { if (f.name) entries.push([base + i, f.name]); });
            entries.sort((x, y) => x[0] - y[0]);
            const sub = new ByteWriter().u32(entries.length);
            for (const [i, n] of entries) sub.u32(i).name(n);
            w.byte(1).sized(sub);
            wroteFuncs = true;
        };
        try {
            while (!r.atEnd) {
                const subStart = r.pos;
                const id = r.u8();
                const size = r.u32();
                const end = r.pos + size;
                if (end > s.end) throw new Error('bad name subsection');
                if (id > 1 && !wroteFuncs) writeFuncNames();
                if (id === 1) writeFuncNames();
                else if ((id === 2 || id === 3) && this.newImports.length) { // local and label names, keyed by function
                    const sr = new Reader(b, r.pos, end);
                    const n = sr.u32();
                    const sub = new ByteWriter(size + 16).u32(n);
                    for (let i = 0; i < n; i++) {
                        const f = sr.u32();
                        const from = sr.pos;
                        const k = sr.u32();
                        for (let j = 0; j < k; j++) { sr.u32(); sr.name(); }
                        sub.u32(this.funcIndex(f)).copy(b, from, sr.pos);
                    }
                    w.byte(id).sized(sub);
                } else w.copy(b, subStart, end);
                r.pos = end;
            }
            if (!wroteFuncs) writeFuncNames();
        } catch {
            // A name section we cannot parse is kept as it was (engines ignore a bad one).
            out.copy(b, s.start, s.end);
            return;
        }
        this.writeSection(out, 0, w);
    }
}

function writeLocals(w: ByteWriter, groups: readonly { count: number; type: ValType }[], extra: readonly ValType[]): void {
    const all = groups.map((g) => ({ ...g }));
    for (const t of extra) {
        const last = all[all.length - 1];
        if (last && last.type === t) last.count++;
        else all.push({ count: 1, type: t });
    }
    w.u32(all.length);
    for (const g of all) w.u32(g.count).valType(g.type);
}

/** Function bodies already encoded as code section entries (see ModuleRewriter.encodeBody). */
export interface EncodedBodies {
    /** How many entries. */
    readonly count: number;
    /** Whether any was edited (else, with nothing else changing the code section, it is copied as it is). */
    readonly edited: boolean;
    /** Their size in bytes. */
    readonly size: number;
    /** Their bytes, in order (read once, as the module is assembled: each piece is used before the next is asked for). */
    pieces(): Iterable<Uint8Array>;
}

/** Input runs at least this long go into emitPieces' result as views, not copies. */
const RAW_VIEW_BYTES = 1 << 16;

/** A part of an emitted module: bytes, or function bodies encoded beforehand. */
export type ModulePart = Uint8Array | EncodedBodies;

/** A module's bytes in pieces, never joined (each piece is used before the next is asked for). */
export interface ModuleBytes {
    readonly size: number;
    pieces(): Iterable<Uint8Array>;
}

/** The parts as pieces (read again on each call to pieces()). */
export function moduleBytes(parts: readonly ModulePart[]): ModuleBytes {
    return {
        size: parts.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.size), 0),
        *pieces() {
            for (const p of parts) {
                if (p instanceof Uint8Array) yield p;
                else yield* p.pieces();
            }
        },
    };
}

/** The module's bytes: one buffer of exactly the parts' size (encoded bodies are read once, piece by piece). */
export function joinParts(parts: readonly ModulePart[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.size), 0));
    let at = 0;
    for (const p of parts) {
        if (p instanceof Uint8Array) { out.set(p, at); at += p.length; continue; }
        const end = at + p.size;
        for (const piece of p.pieces()) {
            if (at + piece.length > end) throw new Error('encoded function bodies longer than announced');
            out.set(piece, at);
            at += piece.length;
        }
        if (at !== end) throw new Error('encoded function bodies shorter than announced');
    }
    return out;
}

function concatPieces(src: Uint8Array, pieces: readonly CodePiece[]): Uint8Array {
    const w = new ByteWriter();
    for (const p of pieces) { if (p instanceof Uint8Array) w.bytes(p); else w.copy(src, p.start, p.end); }
    return w.finish().slice();
}
