// whamm_core, the core library, implemented here: a Wasm module of its own (a memory and the functions of
// catalog/core-library.ts, each a host import re-exported) whose host side prints, allocates and keeps the
// maps the library creates. `print_map_as_csv(id)` / `print_map(id)` print the script's own maps (kept by
// the whamm:rt runtime), numbered from 0 in declaration order, and after them the maps the library created.
//
// Output behaves as the reference's (Rust's line-buffered stdout): text up to the last newline is written
// at once, a line without its newline waits (for more text, or for flush() before the report).
import { CORE_LIBRARY_FUNCTIONS, CORE_LIBRARY_NAME } from '../catalog/core-library.js';
import { shimModule } from '../wasm/shim-module.js';
import { formatFloat } from './value-format.js';
import { leaves, parseRtType, type LeafType, type RtType } from './rt-types.js';

export const CORE_HOST_MODULE = `${CORE_LIBRARY_NAME}:host`;
/** Rust's stdout buffer: a held-back line longer than this is written out. */
const LINE_BUFFER = 1024;
const PAGE = 65536;
const HEAP_START = 1024;

let bytesCache: Uint8Array | undefined;

/** The core library's module (what `use whamm_core;` links when no --user-libs names another). */
export function coreLibraryBytes(): Uint8Array {
    bytesCache ??= shimModule(CORE_HOST_MODULE, Object.entries(CORE_LIBRARY_FUNCTIONS).map(([name, f]) => ({ name, params: f.params, results: f.results })), 1);
    return bytesCache;
}

/** True for a library module that gets its functions from a CoreLibraryHost. */
export function needsCoreHost(module: WebAssembly.Module): boolean {
    return WebAssembly.Module.imports(module).some(i => i.module === CORE_HOST_MODULE);
}

/** The script's maps as the runtime keeps them: type text and entries (leaf values) by runtime id. */
export interface ScriptMaps {
    /** Runtime map ids in the script's declaration order (the ids print_map_as_csv takes). */
    order: number[];
    typeOf(rtId: number): string;
    entries(rtId: number): { key: (bigint | number)[]; value: (bigint | number)[] }[];
    /** Text of a string handle (str leaves). */
    text(handle: number): string;
    /**
     * The CSV rows (`key, value` lines, sorted as mapContent sorts them) of maps of small integer leaves,
     * read straight from the table; undefined for other maps.
     */
    csvRows?(rtId: number): string | undefined;
}

export class CoreLibraryError extends Error {}

type Leaf = bigint | number | string | boolean;
interface OwnMap { key: string; value: string; keyTypes?: string[]; entries: Map<string, { key: Leaf[]; value: Leaf[] }> }

/** A printed leaf as the core library prints it, and its type name there (integers up to 32 bits are i32). */
function coreLeaf(t: LeafType, v: bigint | number, text: (h: number) => string): { type: string; value: Leaf } {
    switch (t) {
        case 'bool': return { type: 'bool', value: Number(v) !== 0 };
        case 'str': return { type: 'str', value: text(Number(v)) };
        case 'u64': return { type: 'u64', value: BigInt.asUintN(64, BigInt(v)) };
        case 'i64': return { type: 'i64', value: BigInt.asIntN(64, BigInt(v)) };
        case 'f32': case 'f64': return { type: t, value: Number(v) };
        default: return { type: 'i32', value: Number(BigInt.asIntN(32, BigInt(v))) };
    }
}

function leafText(v: Leaf, t: string): string {
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (t === 'f32' || t === 'f64') return formatFloat(v as number, t === 'f32');
    return String(v);
}

function compareLeaves(a: readonly Leaf[], b: readonly Leaf[]): number {
    for (let i = 0; i < a.length; i++) {
        const x = a[i], y = b[i];
        if (x === y) continue;
        if (typeof x === 'string' && typeof y === 'string') return Buffer.compare(Buffer.from(x), Buffer.from(y));
        return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
    }
    return 0;
}

/** `(a,b)` for tuples, the leaf alone otherwise. */
function shapeText(t: RtType, parts: string[]): string {
    let i = 0;
    const walk = (u: RtType): string => (typeof u === 'string' ? parts[i++] : 'tuple' in u ? `(${u.tuple.map(walk).join(',')})` : parts[i++]);
    return walk(t);
}

export interface CoreHostOptions {
    /** Where printed text goes (the app's stdout in a run); undefined drops it (instrumentation time). */
    write?: (text: string) => void;
    scriptMaps?: ScriptMaps;
}

export class CoreLibraryHost {
    private memory?: WebAssembly.Memory;
    private pending = '';
    private top = HEAP_START;
    private readonly sizes = new Map<number, number>();
    private readonly free = new Map<number, number[]>();
    private readonly own = new Map<number, OwnMap>();

    constructor(private readonly opts: CoreHostOptions = {}) {}

    /** Call with the library's instance once it exists (its memory is what the functions read and write). */
    attach(instance: WebAssembly.Instance): void {
        const m = instance.exports.memory;
        if (m instanceof WebAssembly.Memory) this.memory = m;
    }

    /** True once the library's instance is attached (our whamm_core is linked). */
    get attached(): boolean { return this.memory !== undefined; }

    /** True while a line without its newline is held back. */
    get holding(): boolean { return this.pending.length > 0; }

    /** Writes a held-back line, ended with a newline when `endLine` (the report follows). */
    flush(endLine: boolean): void {
        if (!this.pending) return;
        const text = this.pending + (endLine ? '\n' : '');
        this.pending = '';
        this.opts.write?.(text);
    }

    private print(text: string): void {
        const nl = text.lastIndexOf('\n');
        if (nl >= 0) {
            const now = this.pending + text.slice(0, nl + 1);
            this.pending = text.slice(nl + 1);
            this.opts.write?.(now);
            return;
        }
        if (this.pending.length + text.length > LINE_BUFFER) {
            this.opts.write?.(this.pending + text);
            this.pending = '';
            return;
        }
        this.pending += text;
    }

    private bytes(addr: number, len: number): Uint8Array {
        const buf = this.memory?.buffer;
        const a = addr >>> 0, n = len >>> 0;
        if (!buf || a + n > buf.byteLength) throw new WebAssembly.RuntimeError('out of bounds memory access');
        return new Uint8Array(buf, a, n);
    }

    private string(addr: number, len: number): string {
        try {
            return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(addr, len));
        } catch (e) {
            if (e instanceof WebAssembly.RuntimeError) throw e;
            throw new CoreLibraryError(`whamm_core: the bytes at ${addr >>> 0} (${len >>> 0} of them) are not valid UTF-8`);
        }
    }

    // ---------- memory ----------

    private alloc(len: number): number {
        const size = Math.max(8, ((len >>> 0) + 7) & ~7);
        const reuse = this.free.get(size)?.pop();
        if (reuse !== undefined) { this.sizes.set(reuse, size); return reuse; }
        const addr = this.top;
        const mem = this.memory;
        if (!mem) throw new CoreLibraryError('whamm_core has no memory');
        const need = addr + size - mem.buffer.byteLength;
        if (need > 0) mem.grow(Math.ceil(need / PAGE));
        this.top += size;
        this.sizes.set(addr, size);
        return addr;
    }

    private release(addr: number): void {
        const size = this.sizes.get(addr >>> 0);
        if (size === undefined) return;
        this.sizes.delete(addr >>> 0);
        let list = this.free.get(size);
        if (!list) this.free.set(size, list = []);
        list.push(addr >>> 0);
    }

    // ---------- maps ----------

    private scriptCount(): number { return this.opts.scriptMaps?.order.length ?? 0; }

    private create(key: string, value: string, id?: number): number {
        const at = id ?? this.scriptCount() + this.own.size;
        this.own.set(at, { key, value, entries: new Map() });
        return at;
    }

    private ownMap(id: number, key: string, value: string, what: string): OwnMap {
        const m = this.own.get(id);
        if (!m) throw new CoreLibraryError(`whamm_core.${what}: no map with id ${id}`);
        if (m.key !== key || m.value !== value) throw new CoreLibraryError(`whamm_core.${what}: map ${id} has ${m.key} keys and ${m.value} values`);
        return m;
    }

    private insert(id: number, key: string, value: string, keyTypes: string[], k: Leaf[], v: Leaf[], what: string): void {
        const m = this.ownMap(id, key, value, what);
        m.keyTypes ??= keyTypes;
        m.entries.set(JSON.stringify(k.map(String)), { key: k, value: v });
    }

    private get(id: number, k: Leaf[]): Leaf[] | undefined {
        return this.own.get(id)?.entries.get(JSON.stringify(k.map(String)))?.value;
    }

    /** Sorted entries and the key/value type texts of map `id` (a script map or one the library made). */
    private mapContent(id: number, what: string): { keyType: string; valueType: string; rows: { key: string; value: string }[] } {
        const sm = this.opts.scriptMaps;
        if (sm && id >= 0 && id < sm.order.length) {
            const rtId = sm.order[id];
            const t = parseRtType(sm.typeOf(rtId)) as { map: [RtType, RtType] };
            const [kt, vt] = t.map;
            const kl = leaves(kt) as LeafType[], vl = leaves(vt) as LeafType[];
            const kTypes = kl.map(x => coreLeaf(x, 0, () => '').type), vTypes = vl.map(x => coreLeaf(x, 0, () => '').type);
            const rows = sm.entries(rtId).map(e => ({
                key: e.key.map((x, i) => coreLeaf(kl[i], x, sm.text).value),
                value: e.value.map((x, i) => coreLeaf(vl[i], x, sm.text).value),
            })).sort((a, b) => compareLeaves(a.key, b.key));
            return {
                keyType: shapeText(kt, kTypes), valueType: shapeText(vt, vTypes),
                rows: rows.map(r => ({
                    key: shapeText(kt, r.key.map((x, i) => leafText(x, kTypes[i]))),
                    value: shapeText(vt, r.value.map((x, i) => leafText(x, vTypes[i]))),
                })),
            };
        }
        const m = this.own.get(id);
        if (!m) throw new CoreLibraryError(`whamm_core.${what}: no map with id ${id}`);
        const rows = [...m.entries.values()].sort((a, b) => compareLeaves(a.key, b.key));
        const keyTypes = m.keyTypes ?? [m.key];
        const wrap = (parts: string[]) => (parts.length > 1 ? `(${parts.join(',')})` : parts[0]);
        return {
            keyType: wrap(keyTypes), valueType: m.value,
            rows: rows.map(r => ({ key: wrap(r.key.map((x, i) => leafText(x, keyTypes[i]))), value: r.value.map(x => leafText(x, m.value)).join(',') })),
        };
    }

    /** `print_map_as_csv(id)`'s text. */
    csv(id: number): string {
        const sm = this.opts.scriptMaps;
        const rows = sm && id >= 0 && id < sm.order.length ? sm.csvRows?.(sm.order[id]) : undefined;
        if (rows) {
            const [kt, vt] = (parseRtType(sm!.typeOf(sm!.order[id])) as { map: [RtType, RtType] }).map;
            const types = (t: RtType) => shapeText(t, (leaves(t) as LeafType[]).map(x => coreLeaf(x, 0, () => '').type));
            return `== map${id} CSV FLUSH ==\nkey (${types(kt)}), val (${types(vt)})\n${rows}`;
        }
        const c = this.mapContent(id, 'print_map_as_csv');
        if (c.rows.length === 0) return `== map${id} CSV FLUSH ==\nempty map\n`;
        return `== map${id} CSV FLUSH ==\nkey (${c.keyType}), val (${c.valueType})\n` + c.rows.map(r => `${r.key}, ${r.value}\n`).join('');
    }

    /** `print_map(id)`'s text. */
    dump(id: number): string {
        const c = this.mapContent(id, 'print_map');
        return c.rows.length === 0 ? 'empty map' : c.rows.map(r => `${r.key}->${r.value}`).join(';');
    }

    // ---------- the import namespace ----------

    imports(): WebAssembly.Imports {
        const put = (f: (v: number) => string) => (v: number) => { this.print(f(v)); };
        const i32 = (v: number) => v | 0;
        const host: Record<string, (...a: never[]) => unknown> = {
            mem_alloc: (len: number) => this.alloc(len),
            mem_free: (addr: number) => { this.release(addr); },
            puts: (addr: number, len: number) => { this.print(this.string(addr, len)); },
            putc: (c: number) => {
                const b = c & 0xff;
                if (b >= 128) throw new WebAssembly.RuntimeError('integer divide by zero');
                this.print(String.fromCharCode(b));
            },
            putbool: put(v => (v !== 0 ? 'true' : 'false')),
            putu8: put(v => String(v & 0xff)),
            puti8: put(v => String((v << 24) >> 24)),
            putu16: put(v => String(v & 0xffff)),
            puti16: put(v => String((v << 16) >> 16)),
            putu32: put(v => String(v >>> 0)),
            puti32: put(v => String(v | 0)),
            putu64: (v: bigint) => { this.print(String(BigInt.asUintN(64, v))); },
            puti64: (v: bigint) => { this.print(String(BigInt.asIntN(64, v))); },
            putf32: put(v => formatFloat(Math.fround(v), true)),
            putf64: put(v => formatFloat(v, false)),
            print_map: (id: number) => { this.print(this.dump(id)); },
            print_map_as_csv: (id: number) => { this.print(this.csv(id)); },
            insert_i32_i32: (id: number, k: number, v: number) => this.insert(id, 'i32', 'i32', ['i32'], [i32(k)], [i32(v)], 'insert_i32_i32'),
            insert_i32_string: (id: number, k: number, a: number, n: number) => this.insert(id, 'i32', 'string', ['i32'], [i32(k)], [this.string(a, n)], 'insert_i32_string'),
            insert_string_i32: (id: number, a: number, n: number, v: number) => this.insert(id, 'string', 'i32', ['str'], [this.string(a, n)], [i32(v)], 'insert_string_i32'),
            insert_i32i32tuple_i32: (id: number, a: number, b: number, v: number) => this.insert(id, 'tuple', 'i32', ['i32', 'i32'], [i32(a), i32(b)], [i32(v)], 'insert_i32i32tuple_i32'),
            insert_i32booltuple_i32: (id: number, a: number, b: number, v: number) => this.insert(id, 'tuple', 'i32', ['i32', 'bool'], [i32(a), b !== 0], [i32(v)], 'insert_i32booltuple_i32'),
            insert_i32i32i32tuple_i32: (id: number, a: number, b: number, c: number, v: number) => this.insert(id, 'tuple', 'i32', ['i32', 'i32', 'i32'], [i32(a), i32(b), i32(c)], [i32(v)], 'insert_i32i32i32tuple_i32'),
            get_i32_i32: (id: number, k: number) => Number(this.get(id, [i32(k)])?.[0] ?? 0),
            get_string_i32: (id: number, a: number, n: number) => Number(this.get(id, [this.string(a, n)])?.[0] ?? 0),
            get_i32i32tuple_i32: (id: number, a: number, b: number) => Number(this.get(id, [i32(a), i32(b)])?.[0] ?? 0),
            get_i32booltuple_i32: (id: number, a: number, b: number) => Number(this.get(id, [i32(a), b !== 0])?.[0] ?? 0),
            get_i32i32i32tuple_i32: (id: number, a: number, b: number, c: number) => Number(this.get(id, [i32(a), i32(b), i32(c)])?.[0] ?? 0),
            get_i32_string: (ret: number, id: number, k: number) => {
                const s = this.get(id, [i32(k)])?.[0];
                if (typeof s !== 'string') throw new CoreLibraryError(`whamm_core.get_i32_string: map ${id} has no key ${i32(k)}`);
                const b = new TextEncoder().encode(s);
                const p = this.alloc(b.length);
                this.bytes(p, b.length).set(b);
                // A Rust String returned through `ret`: capacity, address, length.
                const v = new DataView(this.memory!.buffer);
                v.setUint32(ret >>> 0, b.length, true);
                v.setUint32((ret >>> 0) + 4, p, true);
                v.setUint32((ret >>> 0) + 8, b.length, true);
            },
        };
        for (const k of ['i32', 'string', 'bool', 'tuple']) {
            for (const v of ['i32', 'string', 'bool', 'tuple', 'map']) {
                host[`create_${k}_${v}`] = () => this.create(k, v);
                host[`create_${k}_${v}_with_id`] = (id: number) => { this.create(k, v, id | 0); };
            }
        }
        for (const name of Object.keys(CORE_LIBRARY_FUNCTIONS)) {
            if (!host[name]) throw new Error(`whamm_core: ${name} has no implementation`);
        }
        return { [CORE_HOST_MODULE]: host as WebAssembly.ModuleImports };
    }
}
