// The reference's opcode categories: the static values of the bound variables `category_id` and
// `category_name`. They follow the opcode table's own categories, merged more coarsely (branches and
// calls are `control`, reference opcodes `gc`), with a few instructions filed elsewhere.
import type { Category, OpInfo } from '../wasm/opcodes.js';

export interface OpcodeCategory { id: number; name: string }

/** Category names and their ids (the reference numbers them; 13 and 14 are unused by opcode events). */
const IDS: Readonly<Record<string, number>> = {
    arith: 0, atomic: 1, compare: 2, const: 3, control: 4, convert: 5, exn: 6, gc: 7, global: 8, load: 9,
    local: 10, memory: 11, misc: 12, store: 15, table: 16,
};

const BY_TABLE_CATEGORY: Readonly<Record<Category, string>> = {
    control: 'control', branch: 'control', call: 'control', parametric: 'control', exception: 'exn',
    variable: 'local', table: 'table', load: 'load', store: 'store', memory: 'memory', const: 'const',
    compare: 'compare', arith: 'arith', convert: 'convert', reference: 'gc', gc: 'gc', atomic: 'atomic',
    simd: 'simd',
};

/** Instructions the reference files outside the category their table category maps to. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
    unreachable: 'misc', nop: 'misc', drop: 'misc', try_table: 'table', 'ref.as_non_null': 'convert',
    br_on_null: 'control', br_on_non_null: 'control', br_on_cast: 'control', br_on_cast_fail: 'control',
};

/** SIMD instructions have no opcode events; should one be asked for, it gets an id past the reference's. */
const OWN_IDS: Readonly<Record<string, number>> = { simd: 17 };

export function opcodeCategory(op: OpInfo): OpcodeCategory {
    let name = EXCEPTIONS[op.name] ?? BY_TABLE_CATEGORY[op.category];
    if (op.category === 'variable') name = op.name.startsWith('global') ? 'global' : 'local';
    return { id: IDS[name] ?? OWN_IDS[name] ?? -1, name };
}
