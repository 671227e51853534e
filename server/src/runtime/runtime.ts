// The run-time side of an instrumented module: the generated map module (instantiated first), the host
// string functions, and the report formatting of compound values (maps, tuples, strings), which needs
// both. Used by `whamm run` and by `whamm wast`.
import { formatFloat, formatScalar } from './value-format.js';
import { HDR, HEADER_BYTES } from './map-module.js';
import { entryBytes, keyLayout, type MapShape } from './map-layout.js';
import { leaves, parseRtType, type LeafType, type RtType } from './rt-types.js';
import {
    fromHex, mapShapeOf, RT_IMPORT_MODULE, RT_MODULE_SECTION, RT_SECTION, runtimeWat, STRING_IMPORTS, type RuntimeSpec,
} from './spec.js';
import { contains, endsWith, startsWith, STRING_ADDR_BASE, StringTable } from './strings.js';
import type { ScriptMaps } from './core-lib.js';

export class RuntimeError extends Error {}

/**
 * Text of many short pieces joined by `sep`, flattened every few thousand pieces: a piece built by
 * concatenation is a tree of string parts until flattened, some 200 bytes per map entry if kept.
 */
class Chunks {
    private readonly done: string[] = [];
    private part: string[] = [];
    constructor(private readonly sep: string) {}
    add(piece: string): void {
        this.part.push(piece);
        if (this.part.length === 4096) { this.done.push(this.part.join(this.sep)); this.part = []; }
    }
    text(): string {
        if (this.part.length) this.done.push(this.part.join(this.sep));
        this.part = [];
        return this.done.join(this.sep);
    }
}

/** Leaves print_map_as_csv prints as i32 or bool (see csvRows). */
const SMALL_LEAVES = new Set<LeafType>(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'bool']);

type MemorySource = WebAssembly.Memory | (() => WebAssembly.Memory | undefined);

export function readRuntimeSpec(module: WebAssembly.Module): { spec: RuntimeSpec; mapModule?: Uint8Array } | undefined {
    const sections = WebAssembly.Module.customSections(module, RT_SECTION);
    if (sections.length === 0) return undefined;
    const spec = JSON.parse(new TextDecoder().decode(sections[0])) as RuntimeSpec;
    const mod = WebAssembly.Module.customSections(module, RT_MODULE_SECTION);
    return { spec, mapModule: mod.length ? new Uint8Array(mod[0]) : undefined };
}

export class WhammRuntime {
    readonly strings = new StringTable();
    private readonly memories = new Map<number, MemorySource>();
    private mapExports: Record<string, unknown> = {};
    private readonly mapTypes: { type: RtType; shape: MapShape }[];

    private constructor(readonly spec: RuntimeSpec) {
        for (const hex of spec.strings) this.strings.intern(fromHex(hex));
        this.mapTypes = spec.maps.map(t => {
            const type = parseRtType(t);
            return { type, shape: mapShapeOf(type) };
        });
    }

    static async create(spec: RuntimeSpec, mapModule?: Uint8Array): Promise<WhammRuntime> {
        const rt = new WhammRuntime(spec);
        if (spec.maps.length) {
            // Normally prebuilt by the engine (section whamm.rt.wasm); otherwise generated here from the spec.
            mapModule ??= await import('../wasm/wat-assemble.js').then(m => m.watToWasm(runtimeWat(spec), 'whamm-rt.wat'));
            const { instance } = await WebAssembly.instantiate(mapModule as Parameters<typeof WebAssembly.compile>[0], {});
            rt.mapExports = instance.exports as Record<string, unknown>;
        }
        return rt;
    }

    /** A runtime with no maps and no strings: enough to print tuples of scalars. */
    static empty(): WhammRuntime {
        return new WhammRuntime({ version: 1, maps: [], strings: [], memories: ['app'] });
    }

    /** The runtime of an instrumented module, or undefined when it needs none. */
    static async forModule(module: WebAssembly.Module): Promise<WhammRuntime | undefined> {
        const r = readRuntimeSpec(module);
        if (r) return WhammRuntime.create(r.spec, r.mapModule);
        // String operations that all folded away may still be imported: serve them from an empty table.
        return WebAssembly.Module.imports(module).some(i => i.module === RT_IMPORT_MODULE) ? WhammRuntime.empty() : undefined;
    }

    /** Makes memory `memid` readable by the string functions (the app's once instantiated, a library's). */
    attachMemory(memid: number, memory: MemorySource): void {
        this.memories.set(memid, memory);
    }

    private memory(memid: number): WebAssembly.Memory | undefined {
        const src = this.memories.get(memid);
        return typeof src === 'function' ? src() : src;
    }

    /**
     * Bytes to read at [addr, addr+len) of memory `memid`: in the string range (`s.addr()`), the strings'
     * own bytes whatever the memory; elsewhere the memory's.
     */
    private readAt(memid: number, addr: number, len: number): Uint8Array {
        if ((addr >>> 0) >= STRING_ADDR_BASE) {
            const b = this.strings.bytesAtAddr(addr, len);
            if (b) return b;
        }
        return this.bytesAt(memid, addr, len);
    }

    /** Bytes [addr, addr+len) of memory `memid`; a module without that memory has none (only len 0 is in bounds). */
    private bytesAt(memid: number, addr: number, len: number): Uint8Array {
        const buf = this.memory(memid)?.buffer ?? new ArrayBuffer(0);
        const a = addr >>> 0, n = len >>> 0;
        if (a + n > buf.byteLength) throw new WebAssembly.RuntimeError('out of bounds memory access');
        return new Uint8Array(buf, a, n);
    }

    /** The `whamm:rt` import namespace. */
    imports(): WebAssembly.Imports {
        const s = this.strings;
        const host: Record<keyof typeof STRING_IMPORTS, (...a: number[]) => number | void> = {
            'mem.copy': (sm, src, dm, dst, len) => { this.bytesAt(dm, dst, len).set(this.readAt(sm, src, len)); },
            'mem.fill': (m, dst, val, len) => { this.bytesAt(m, dst, len).fill(val & 0xff); },
            'mem.put': (h, from, m, dst, len) => {
                const b = s.bytesOf(h);
                if ((from >>> 0) + (len >>> 0) > b.length) throw new WebAssembly.RuntimeError('out of bounds memory access');
                this.bytesAt(m, dst, len).set(b.subarray(from >>> 0, (from >>> 0) + (len >>> 0)));
            },
            'str.len': h => s.bytesOf(h).length,
            'str.starts_with': (h, p) => Number(startsWith(s.bytesOf(h), s.bytesOf(p))),
            'str.ends_with': (h, p) => Number(endsWith(s.bytesOf(h), s.bytesOf(p))),
            'str.contains': (h, p) => Number(contains(s.bytesOf(h), s.bytesOf(p))),
            'str.read': (memid, addr, len) => s.intern(this.readAt(memid, addr, len)),
            'str.addr': h => s.addrOf(h),
            'str.write': (memid, addr, h) => {
                const b = s.bytesOf(h);
                this.bytesAt(memid, addr, b.length).set(b);
                return b.length;
            },
            'str.cmp': (memid, addr, len, h) => {
                // Bytes that do not exist equal no string: out-of-bounds compares false instead of trapping.
                const inStrings = (addr >>> 0) >= STRING_ADDR_BASE ? s.bytesAtAddr(addr, len) : undefined;
                const buf = this.memory(memid)?.buffer;
                if (!inStrings && (!buf || (addr >>> 0) + (len >>> 0) > buf.byteLength)) return 0;
                const a = inStrings ?? this.bytesAt(memid, addr, len), b = s.bytesOf(h);
                return Number(a.length === b.length && startsWith(a, b));
            },
        };
        return { [RT_IMPORT_MODULE]: { ...this.mapExports, ...host } as WebAssembly.ModuleImports };
    }

    // ---------- reading state for the report ----------

    /** The script's maps as the core library sees them (print_map_as_csv ids in declaration order). */
    scriptMaps(): ScriptMaps {
        const n = this.spec.maps.length;
        const order = this.spec.declOrder?.length === n ? this.spec.declOrder : Array.from({ length: n }, (_, i) => i);
        return { order, typeOf: id => this.spec.maps[id], entries: id => this.mapEntries(id), text: h => this.strings.text(h), csvRows: id => this.csvRows(id) };
    }

    /**
     * print_map_as_csv's rows of map `id` when its key and value leaves are integers of at most 32 bits
     * or bools, with at most 33 key bits (`map<(u32, bool), u32>`): sorted by key as whamm_core sorts
     * (integers as i32, false before true) through one 64-bit word per entry (key bits, entry number),
     * without an object per entry; the empty string for an empty map, undefined for other maps.
     */
    csvRows(id: number): string | undefined {
        const m = this.mapTypes[id];
        const small = (t: LeafType) => SMALL_LEAVES.has(t);
        const flat = (t: RtType) => typeof t === 'string' || ('tuple' in t && t.tuple.every(u => typeof u === 'string'));
        if (!m || !m.shape.key.every(small) || !m.shape.value.every(small)) return undefined;
        const [kt, vt] = (m.type as { map: [RtType, RtType] }).map;
        if (!flat(kt) || !flat(vt) || m.shape.key.reduce((b, t) => b + (t === 'bool' ? 1 : 32), 0) > 33) return undefined;
        let at = new Uint32Array(1024), n = 0;
        let views: Views | undefined, keys: LeafReader[] = [], values: LeafReader[] = [];
        this.scanMap(id, (v, p, k, vals) => {
            if (n === at.length) { const more = new Uint32Array(n * 2); more.set(at); at = more; }
            at[n++] = p;
            views = v; keys = k; values = vals;
        });
        if (n === 0 || !views) return '';
        if (n >= 2 ** 31) return undefined;
        const v = views;
        const order = new BigUint64Array(n);
        for (let i = 0; i < n; i++) {
            let hi = 0;
            for (let k = 0; k < keys.length; k++) {
                const x = Number(keys[k](v, at[i]));
                hi = m.shape.key[k] === 'bool' ? hi * 2 + (x ? 1 : 0) : hi * 2 ** 32 + (((x | 0) ^ 0x80000000) >>> 0);
            }
            order[i] = (BigInt(hi) << 31n) | BigInt(i);
        }
        order.sort();
        const leaf = (t: LeafType, x: number | bigint) => (t === 'bool' ? (Number(x) ? 'true' : 'false') : String(Number(x) | 0));
        const text = (readers: LeafReader[], types: LeafType[], tuple: boolean, p: number) => {
            let s = leaf(types[0], readers[0](v, p));
            for (let k = 1; k < readers.length; k++) s += ',' + leaf(types[k], readers[k](v, p));
            return tuple ? `(${s})` : s;
        };
        const kTuple = typeof kt !== 'string', vTuple = typeof vt !== 'string';
        const rows = new Chunks('');
        for (let i = 0; i < n; i++) {
            const p = at[Number(order[i] & 0x7fffffffn)];
            rows.add(`${text(keys, m.shape.key, kTuple, p)}, ${text(values, m.shape.value, vTuple, p)}\n`);
        }
        return rows.text();
    }

    /** Entries of map `id` as [key leaves, value leaves], in table order. */
    mapEntries(id: number): { key: (bigint | number)[]; value: (bigint | number)[] }[] {
        const out: { key: (bigint | number)[]; value: (bigint | number)[] }[] = [];
        this.scanMap(id, (v, p, keys, values) => out.push({ key: keys.map(r => r(v, p)), value: values.map(r => r(v, p)) }));
        return out;
    }

    /** Calls `visit` for every used entry of map `id` with the leaf readers of its key and value. */
    private scanMap(id: number, visit: (v: Views, p: number, keys: LeafReader[], values: LeafReader[]) => void): void {
        const m = this.mapTypes[id];
        if (!m) throw new RuntimeError(`no map with id ${id}`);
        const mem = this.mapExports.memory as WebAssembly.Memory | undefined;
        if (!mem) return;
        // Dense counters (map-dense.ts) go into the table first; this may grow the memory.
        (this.mapExports['map.settle'] as ((id: number) => void) | undefined)?.(id);
        const v = viewsOf(mem.buffer);
        const keys = keyReaders(m.shape.key);
        const layout = keyLayout(m.shape.key);
        const values = m.shape.value.map((t, j) => valueReader(t, layout.valueBase + 8 * j));
        const hdr = id * HEADER_BYTES;
        const tab = v.u32[(hdr + HDR.table) >> 2], cap = v.u32[(hdr + HDR.mask) >> 2] + 1;
        const E = entryBytes(m.shape);
        for (let i = 0, p = tab; i < cap; i++, p += E) {
            // An entry is used when its first word (packed key with bit 63 set, or the flag) is not 0.
            if (v.u32[p >> 2] === 0 && v.u32[(p >> 2) + 1] === 0) continue;
            visit(v, p, keys, values);
        }
    }

    /** One leaf printed the way the report prints it. */
    leafText(t: LeafType | 'mapid', v: bigint | number): string {
        switch (t) {
            case 'str': return this.strings.text(Number(v));
            case 'f32': return formatFloat(Number(v), true);
            case 'f64': return formatFloat(Number(v), false);
            case 'mapid': return this.mapText(Number(v));
            default: return formatScalar(BigInt(v), t);
        }
    }

    /** A map as the report prints it: `key->value;key->value` (tuple keys `(a,b)`). */
    mapText(id: number): string {
        const out = new Chunks(';');
        this.mapLines(id, (k, v) => { out.add(`${k}->${v}`); });
        return out.text();
    }

    /**
     * Each entry of map `id` printed by `line(keyText, valueText)` (the lines it returns, in table order). Maps can hold millions of entries, so
     * this reads the table directly with one compiled printer per leaf (no per-entry BigInt or arrays).
     */
    mapLines(id: number, line: (key: string, value: string) => string | void): string[] {
        const m = this.mapTypes[id];
        if (!m) throw new RuntimeError(`no map with id ${id}`);
        const [kt, vt] = (m.type as { map: [RtType, RtType] }).map;
        const out: string[] = [];
        let keyPrint: LeafPrinter | undefined, valPrint: LeafPrinter | undefined;
        this.scanMap(id, (v, p, keys, values) => {
            keyPrint ??= this.printer(kt, ',', (t, k) => this.leafPrinter(t, keys[k]));
            valPrint ??= this.printer(vt, '; ', (t, k) => this.leafPrinter(t, values[k]));
            const text = line(keyPrint(v, p), valPrint(v, p));
            if (text !== undefined) out.push(text);
        });
        return out;
    }

    private leafPrinter(t: LeafType, read: LeafReader): LeafPrinter {
        switch (t) {
            case 'bool': return (v, p) => (read(v, p) ? 'true' : 'false');
            case 'f32': return (v, p) => formatFloat(Number(read(v, p)), true);
            case 'f64': return (v, p) => formatFloat(Number(read(v, p)), false);
            case 'str': return (v, p) => this.strings.text(Number(read(v, p)));
            default: return (v, p) => String(read(v, p));
        }
    }

    /** A printer for a whole (possibly nested tuple) value from its leaves' printers, in leaf order. */
    private printer(t: RtType, sep: string, leaf: (t: LeafType, index: number) => LeafPrinter): LeafPrinter {
        let n = 0;
        const build = (u: RtType): LeafPrinter => {
            if (typeof u === 'string') {
                return leaf(u, n++);
            }
            if ('tuple' in u) {
                const parts = u.tuple.map(build);
                return (view, p) => {
                    let text = '(' + parts[0](view, p);
                    for (let i = 1; i < parts.length; i++) text += sep + parts[i](view, p);
                    return text + ')';
                };
            }
            throw new RuntimeError('maps inside maps are not supported');
        };
        return build(t);
    }

    /** One line per entry: `key,value` (csv) or `key->value`. */
    mapRows(id: number, csv: boolean): string[] {
        const m = this.mapTypes[id];
        if (!m) throw new RuntimeError(`no map with id ${id}`);
        const [kt, vt] = (m.type as { map: [RtType, RtType] }).map;
        void kt; void vt;
        return this.mapLines(id, (k, v) => (csv ? `${k.replace(/^\((.*)\)$/, '$1')},${v}` : `${k}->${v}`));
    }

    /** A value of type `t` whose leaves are `vals` (in order), tuples joined with `sep`. */
    compoundText(t: RtType, vals: (bigint | number)[], sep = '; '): string {
        let i = 0;
        const walk = (u: RtType): string => {
            if (typeof u === 'string') return this.leafText(u, vals[i++]);
            if ('tuple' in u) return `(${u.tuple.map(walk).join(sep)})`;
            return this.leafText('mapid', vals[i++]);
        };
        return walk(t);
    }

    /**
     * A report value stored as consecutive slots (each an i64 bit pattern as the report readers return
     * them: floats widened to f64 bits), printed by its type text.
     */
    formatSlots(typeText: string, slots: ArrayLike<bigint>, first: number): string {
        const t = parseRtType(typeText);
        const ls = leaves(t);
        const vals = ls.map((leaf, k) => {
            const bits = slots[first + k] ?? 0n;
            if (leaf === 'f32' || leaf === 'f64') { F64B[0] = BigInt.asIntN(64, bits); return F64V[0]; }
            if (leaf === 'str' || leaf === 'mapid') return Number(BigInt.asUintN(32, bits));
            return bits;
        });
        return this.compoundText(t, vals);
    }
}

/** Typed views of the runtime's memory (entries are 8-byte aligned, so every leaf is aligned). */
interface Views { u8: Uint8Array; i8: Int8Array; u16: Uint16Array; i16: Int16Array; u32: Uint32Array; i32: Int32Array; f32: Float32Array; f64: Float64Array; u64: BigUint64Array; i64: BigInt64Array }
type LeafPrinter = (v: Views, entry: number) => string;

function viewsOf(b: ArrayBuffer): Views {
    return {
        u8: new Uint8Array(b), i8: new Int8Array(b), u16: new Uint16Array(b), i16: new Int16Array(b), u32: new Uint32Array(b),
        i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b), u64: new BigUint64Array(b), i64: new BigInt64Array(b),
    };
}

type LeafReader = (v: Views, entry: number) => number | bigint;

const F32_BITS = new Uint32Array(1);
const F32_VAL = new Float32Array(F32_BITS.buffer);

/** Readers of a key's leaves, packed (see keyLayout) or one canonical word each. */
function keyReaders(key: readonly LeafType[]): LeafReader[] {
    const layout = keyLayout(key);
    if (!layout.packed) return key.map((t, k) => wordReader(t, layout.keyBase + 8 * k));
    return layout.packed.map(f => {
        const half = f.offset >= 32 ? 1 : 0, shift = f.offset - 32 * half;
        const mask = f.width === 32 ? 0xffffffff : 2 ** f.width - 1;
        const raw = (v: Views, p: number) => ((v.u32[(p >> 2) + half] >>> shift) & mask) >>> 0;
        switch (f.t) {
            case 'i8': return (v, p) => (raw(v, p) << 24) >> 24;
            case 'i16': return (v, p) => (raw(v, p) << 16) >> 16;
            case 'i32': return (v, p) => raw(v, p) | 0;
            case 'f32': return (v, p) => { F32_BITS[0] = raw(v, p); return F32_VAL[0]; };
            default: return raw;
        }
    });
}

/** A leaf in a canonical 64-bit word (see map-module.ts); little-endian, so the low half comes first. */
function wordReader(t: LeafType, off: number): LeafReader {
    switch (t) {
        case 'u8': case 'u16': case 'u32': case 'str': return (v, p) => v.u32[(p + off) >> 2];
        case 'i8': case 'i16': case 'i32': return (v, p) => v.i32[(p + off) >> 2];
        case 'bool': return (v, p) => (v.u32[(p + off) >> 2] !== 0 ? 1 : 0);
        case 'u64': return (v, p) => v.u64[(p + off) >> 3];
        case 'i64': return (v, p) => v.i64[(p + off) >> 3];
        case 'f32': return (v, p) => v.f32[(p + off) >> 2];
        case 'f64': return (v, p) => v.f64[(p + off) >> 3];
    }
}

/** Value slots hold the leaf at its natural width. */
function valueReader(t: LeafType, off: number): LeafReader {
    switch (t) {
        case 'u8': return (v, p) => v.u8[p + off];
        case 'i8': return (v, p) => v.i8[p + off];
        case 'u16': return (v, p) => v.u16[(p + off) >> 1];
        case 'i16': return (v, p) => v.i16[(p + off) >> 1];
        default: return wordReader(t, off);
    }
}

const F64V = new Float64Array(1);
const F64B = new BigInt64Array(F64V.buffer);

/** Number of report slots a value of this type occupies. */
export function slotCount(typeText: string): number {
    return leaves(parseRtType(typeText)).length;
}
