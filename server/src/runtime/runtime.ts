// The run-time side of an instrumented module: the generated map module (instantiated first), the host
// string functions, and the report formatting of compound values (maps, tuples, strings), which needs
// both. Used by `whamm run` and by `whamm wast`.
import { formatFloat, formatScalar } from '../runner/report-format.js';
import { entryBytes, HEADER_BYTES, type MapShape } from './map-module.js';
import { leaves, parseRtType, type LeafType, type RtType } from './rt-types.js';
import {
    APP_MEMID, fromHex, mapShapeOf, RT_IMPORT_MODULE, RT_MODULE_SECTION, RT_SECTION, runtimeWat, STRING_IMPORTS, type RuntimeSpec,
} from './spec.js';
import { contains, endsWith, startsWith, StringTable } from './strings.js';

export class RuntimeError extends Error {}

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
            mapModule ??= await import('../wast/wat.js').then(m => m.watToWasm(runtimeWat(spec), 'whamm-rt.wat'));
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
        return r ? WhammRuntime.create(r.spec, r.mapModule) : undefined;
    }

    /** Makes memory `memid` readable by the string functions (the app's once instantiated, a library's). */
    attachMemory(memid: number, memory: MemorySource): void {
        this.memories.set(memid, memory);
    }

    private memory(memid: number): WebAssembly.Memory {
        const src = this.memories.get(memid);
        const m = typeof src === 'function' ? src() : src;
        if (!m) throw new RuntimeError(`no memory with memid ${memid}${memid === APP_MEMID ? ' (the app exports no memory)' : ''}`);
        return m;
    }

    private bytesAt(memid: number, addr: number, len: number): Uint8Array {
        const buf = this.memory(memid).buffer;
        const a = addr >>> 0, n = len >>> 0;
        if (a + n > buf.byteLength) throw new WebAssembly.RuntimeError('out of bounds memory access');
        return new Uint8Array(buf, a, n);
    }

    /** The `whamm:rt` import namespace. */
    imports(): WebAssembly.Imports {
        const s = this.strings;
        const host: Record<keyof typeof STRING_IMPORTS, (...a: number[]) => number> = {
            'str.len': h => s.bytesOf(h).length,
            'str.starts_with': (h, p) => Number(startsWith(s.bytesOf(h), s.bytesOf(p))),
            'str.ends_with': (h, p) => Number(endsWith(s.bytesOf(h), s.bytesOf(p))),
            'str.contains': (h, p) => Number(contains(s.bytesOf(h), s.bytesOf(p))),
            'str.read': (memid, addr, len) => s.intern(this.bytesAt(memid, addr, len)),
            'str.write': (memid, addr, h) => {
                const b = s.bytesOf(h);
                this.bytesAt(memid, addr, b.length).set(b);
                return b.length;
            },
            'str.cmp': (memid, addr, len, h) => {
                const a = this.bytesAt(memid, addr, len), b = s.bytesOf(h);
                return Number(a.length === b.length && startsWith(a, b));
            },
        };
        return { [RT_IMPORT_MODULE]: { ...this.mapExports, ...host } as WebAssembly.ModuleImports };
    }

    // ---------- reading state for the report ----------

    /** Entries of map `id` as [key leaves, value leaves], in table order. */
    mapEntries(id: number): { key: (bigint | number)[]; value: (bigint | number)[] }[] {
        const m = this.mapTypes[id];
        if (!m) throw new RuntimeError(`no map with id ${id}`);
        const mem = this.mapExports.memory as WebAssembly.Memory | undefined;
        if (!mem) return [];
        const view = new DataView(mem.buffer);
        const hdr = id * HEADER_BYTES;
        const tab = view.getUint32(hdr, true), cap = view.getUint32(hdr + 4, true);
        const E = entryBytes(m.shape);
        const out: { key: (bigint | number)[]; value: (bigint | number)[] }[] = [];
        for (let i = 0, p = tab; i < cap; i++, p += E) {
            if (view.getBigUint64(p, true) === 0n) continue;
            const key = m.shape.key.map((t, k) => keyLeaf(view, p + 8 * (k + 1), t));
            const value = m.shape.value.map((t, j) => valueLeaf(view, p + 8 * (1 + m.shape.key.length + j), t));
            out.push({ key, value });
        }
        return out;
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
        const m = this.mapTypes[id];
        if (!m) throw new RuntimeError(`no map with id ${id}`);
        const [kt, vt] = (m.type as { map: [RtType, RtType] }).map;
        return this.mapEntries(id).map(e =>
            `${this.compoundText(kt, e.key, ',')}->${this.compoundText(vt, e.value, '; ')}`).join(';');
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

const F64V = new Float64Array(1);
const F64B = new BigInt64Array(F64V.buffer);

/** Number of report slots a value of this type occupies. */
export function slotCount(typeText: string): number {
    return leaves(parseRtType(typeText)).length;
}

function keyLeaf(view: DataView, at: number, t: LeafType): bigint | number {
    switch (t) {
        case 'f32': return (() => { const b = new DataView(new ArrayBuffer(4)); b.setUint32(0, view.getUint32(at, true), true); return b.getFloat32(0, true); })();
        case 'f64': return view.getFloat64(at, true);
        case 'str': return view.getUint32(at, true);
        default: return view.getBigInt64(at, true);
    }
}

function valueLeaf(view: DataView, at: number, t: LeafType): bigint | number {
    switch (t) {
        case 'f32': return view.getFloat32(at, true);
        case 'f64': return view.getFloat64(at, true);
        case 'str': return view.getUint32(at, true);
        case 'u64': case 'i64': return view.getBigInt64(at, true);
        default: return BigInt(view.getInt32(at, true));
    }
}
