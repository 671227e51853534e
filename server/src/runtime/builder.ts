// The engine's side of the runtime contract: while compiling a script it registers maps, string
// literals and memories here, asks for the import (module `whamm:rt`) to call for each operation, and
// at the end gets the two custom sections to put into the instrumented module.
import { watToWasm } from '../wasm/wat-assemble.js';
import { denseShape } from './map-dense.js';
import { hasInc, mapExportName } from './map-module.js';
import type { MapShape } from './map-layout.js';
import { leafValType, parseRtType, rtTypeText, type WasmValType } from './rt-types.js';
import { mapShapeOf, RT_IMPORT_MODULE, runtimeWat, STRING_IMPORTS, toHex, type RuntimeSpec } from './spec.js';
import { decodeWhammString } from './strings.js';

export interface RtImport {
    module: typeof RT_IMPORT_MODULE;
    name: string;
    params: WasmValType[];
    results: WasmValType[];
}

export class RuntimeBuilder {
    private readonly maps: string[] = [];
    private readonly strings: string[] = [];
    private readonly stringIndex = new Map<string, number>();
    private readonly memories: string[] = ['app'];
    private globalMapOrder: number[] = [];

    /** Registers a map instance (a global, or one per site for unshared maps); returns its id. */
    addMap(typeText: string): number {
        const t = parseRtType(typeText);
        mapShapeOf(t); // validates
        this.maps.push(rtTypeText(t));
        return this.maps.length - 1;
    }

    /** The handle of a string literal given by its source body (escapes not yet decoded). */
    literal(body: string): number {
        return this.stringBytes(decodeWhammString(body));
    }

    /** The handle of an already decoded string (stored as UTF-8). */
    text(s: string): number {
        return this.stringBytes(new TextEncoder().encode(s));
    }

    stringBytes(bytes: Uint8Array): number {
        const hex = toHex(bytes);
        let h = this.stringIndex.get(hex);
        if (h === undefined) {
            h = this.strings.length;
            this.strings.push(hex);
            this.stringIndex.set(hex, h);
        }
        return h;
    }

    /** memid of a library's memory (`memid(lib)`); APP_MEMID is 0. */
    memid(lib: string): number {
        let i = this.memories.indexOf(lib);
        if (i < 0) { this.memories.push(lib); i = this.memories.length - 1; }
        return i;
    }

    /** The script's global maps' ids in declaration order; the other maps follow them, by id. */
    setGlobalMapOrder(ids: number[]): void { this.globalMapOrder = [...ids]; }

    get mapCount(): number { return this.maps.length; }
    get usesRuntime(): boolean { return this.maps.length > 0 || this.strings.length > 0 || this.memories.length > 1; }

    /**
     * The import behind a map operation on a map of this type: `(id, key leaves...[, values...])`; `run`
     * (maps counted by address only, see hasRun) adds 1 at the addresses of a strided run:
     * `(id, base, stride, n: i64[, bool])`.
     */
    mapImport(op: 'get' | 'set' | 'inc' | 'run', typeText: string): RtImport {
        const shape = mapShapeOf(parseRtType(typeText));
        if (op === 'inc' && !hasInc(shape)) throw new Error(`++/-- need a numeric map value, not ${shape.valueText}`);
        if (op === 'run') {
            const d = hasInc(shape) ? denseShape(shape) : undefined;
            if (!d) throw new Error(`no strided runs for ${typeText}`);
            const params: WasmValType[] = ['i32', 'i32', 'i32', 'i64', ...(d.pair ? ['i32' as const] : [])];
            return { module: RT_IMPORT_MODULE, name: mapExportName('run', shape as MapShape), params, results: [] };
        }
        const k = shape.key.map(leafValType), v = shape.value.map(leafValType);
        const params: WasmValType[] = ['i32', ...k];
        const results: WasmValType[] = [];
        if (op === 'get') results.push(...v);
        else if (op === 'set') params.push(...v);
        else { params.push(v[0]); results.push(v[0]); }
        return { module: RT_IMPORT_MODULE, name: mapExportName(op, shape as MapShape), params, results };
    }

    stringImport(name: keyof typeof STRING_IMPORTS): RtImport {
        const s = STRING_IMPORTS[name];
        return { module: RT_IMPORT_MODULE, name, params: [...s.params] as WasmValType[], results: [...s.results] as WasmValType[] };
    }

    spec(): RuntimeSpec {
        const first = new Set(this.globalMapOrder);
        const declOrder = [...this.globalMapOrder, ...this.maps.map((_, i) => i).filter(i => !first.has(i))];
        return { version: 1, maps: [...this.maps], strings: [...this.strings], memories: [...this.memories], declOrder };
    }

    /** Custom sections for the instrumented module: name -> contents. */
    async sections(): Promise<{ name: string; data: Uint8Array }[]> {
        const spec = this.spec();
        const out: { name: string; data: Uint8Array }[] = [{ name: 'whamm.rt', data: new TextEncoder().encode(JSON.stringify(spec)) }];
        if (spec.maps.length) out.push({ name: 'whamm.rt.wasm', data: await watToWasm(runtimeWat(spec), 'whamm-rt.wat') });
        return out;
    }
}
