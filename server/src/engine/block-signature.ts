// The stack signature of a block-like instruction (block, loop, if, try_table) from its block type, for
// code that replaces or wraps the construct: what it pops on entry and what it leaves at its `end`.
import { Reader } from '../wasm/reader.js';
import { readBlockType, readOp } from '../wasm/instructions.js';
import type { WasmModule } from '../wasm/decode.js';
import type { ValType } from './types.js';
import { CodeWriter, OP } from './emit.js';
import { emitConst } from './lower.js';
import { defaultOf, whammTypeOfVal } from './types.js';

export interface BlockSignature { params: ValType[]; results: ValType[] }

const NUMERIC = new Set(['i32', 'i64', 'f32', 'f64']);

/** The signature of the construct opened at `start`, or undefined when it uses types the engine cannot hold. */
export function blockSignature(m: WasmModule | undefined, bytes: Uint8Array, start: number): BlockSignature | undefined {
    const r = new Reader(bytes, start);
    readOp(r);
    const bt = readBlockType(r);
    let sig: BlockSignature;
    if (bt === null) sig = { params: [], results: [] };
    else if (typeof bt === 'string') sig = { params: [], results: [bt as ValType] };
    else {
        const t = m?.types[bt];
        if (!t || t.comp.kind !== 'func') return undefined;
        sig = { params: [...t.comp.params] as ValType[], results: [...t.comp.results] as ValType[] };
    }
    return sig;
}

/** Only numeric values can be saved in scratch locals or given a default by the engine. */
export function numericOnly(types: readonly ValType[]): boolean {
    return types.every(t => NUMERIC.has(t));
}

/** Pushes the default value (0) of each type, in order. */
export function pushDefaults(w: CodeWriter, types: readonly ValType[]): void {
    for (const t of types) { const wt = whammTypeOfVal(t); emitConst(w, wt, defaultOf(wt)); }
}

/**
 * The block type of a signature with no params and at most one numeric result (null: empty, else the
 * result's type, for CodeWriter.blockType); undefined otherwise.
 */
export function simpleBlockType(results: readonly ValType[]): ValType | null | undefined {
    if (results.length === 0) return null;
    if (results.length > 1 || !NUMERIC.has(results[0])) return undefined;
    return results[0];
}

/** Drops `n` values. */
export function drops(w: CodeWriter, n: number): void {
    for (let i = 0; i < n; i++) w.op(OP.drop);
}
