// Constants of the .wast format (`(i32.const -1)`, `(f32.const nan:canonical)`, `(ref.null func)`) as JS
// values for invoking exports through the JS API, and the comparison of results against expectations.
import { head, type SList, type SNode } from './sexpr.js';

export type Expected =
    | { type: 'i32'; value: number }
    | { type: 'i64'; value: bigint }
    | { type: 'f32' | 'f64'; value: number | 'nan:canonical' | 'nan:arithmetic' }
    | { type: 'ref.null'; heap: string }
    | { type: 'ref.func' }
    | { type: 'ref.extern'; value: number }
    | { type: 'either'; options: Expected[] };

export class WastValueError extends Error {}

function atomOf(list: SList, index: number): string {
    const a = list.items[index];
    if (!a || a.kind !== 'atom') throw new WastValueError(`(${head(list)} ...) needs a literal`);
    return a.text;
}

export function parseIntLiteral(text: string, bits: 32 | 64): bigint {
    let t = text.replace(/_/g, '');
    let negative = false;
    if (t.startsWith('-')) { negative = true; t = t.slice(1); } else if (t.startsWith('+')) t = t.slice(1);
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new WastValueError(`bad integer literal ${text}`);
    const v = BigInt(t);
    return BigInt.asIntN(bits, negative ? -v : v);
}

/** Parses a float literal, including hex floats (`0x1.8p3`), `inf` and `nan[:0xPAYLOAD]` (payload dropped). */
export function parseFloatLiteral(text: string, single: boolean): number {
    let t = text.replace(/_/g, '');
    let sign = 1;
    if (t.startsWith('-')) { sign = -1; t = t.slice(1); } else if (t.startsWith('+')) t = t.slice(1);
    let v: number;
    if (t === 'inf') v = Infinity;
    else if (t === 'nan' || t.startsWith('nan:')) v = NaN;
    else if (/^0x/i.test(t)) v = parseHexFloat(t.slice(2), text);
    else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) v = Number(t);
    else throw new WastValueError(`bad float literal ${text}`);
    v *= sign;
    return single ? Math.fround(v) : v;
}

function parseHexFloat(t: string, original: string): number {
    const m = /^([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(t);
    if (!m || (m[1] === '' && !m[2])) throw new WastValueError(`bad float literal ${original}`);
    const digits = (m[1] ?? '') + (m[2] ?? '');
    const exp = Number(m[3] ?? 0) - 4 * (m[2]?.length ?? 0);
    const mant = digits === '' ? 0n : BigInt('0x' + digits);
    if (mant === 0n) return 0;
    // Scale in two steps so that neither the mantissa nor the power overflows a double on its own.
    return Number(mant) * Math.pow(2, Math.max(exp, -1000)) * Math.pow(2, exp - Math.max(exp, -1000));
}

const externRefs = new Map<number, object>();
/** `(ref.extern N)` stands for one host object per N, the same object each time. */
export function externRef(n: number): object {
    let r = externRefs.get(n);
    if (!r) { r = { externref: n }; externRefs.set(n, r); }
    return r;
}

/** An argument of `invoke`: the JS value the JS API expects for that wasm type. */
export function parseArg(node: SNode): unknown {
    if (node.kind !== 'list') throw new WastValueError('an argument must be a constant like (i32.const 1)');
    const op = head(node);
    switch (op) {
        case 'i32.const': return Number(parseIntLiteral(atomOf(node, 1), 32));
        case 'i64.const': return parseIntLiteral(atomOf(node, 1), 64);
        case 'f32.const': return parseFloatLiteral(atomOf(node, 1), true);
        case 'f64.const': return parseFloatLiteral(atomOf(node, 1), false);
        case 'ref.null': return null;
        case 'ref.extern': return externRef(Number(atomOf(node, 1)));
        default: throw new WastValueError(`unsupported argument (${op ?? '?'} ...)`);
    }
}

export function parseExpected(node: SNode): Expected {
    if (node.kind !== 'list') throw new WastValueError('an expected result must be a constant like (i32.const 1)');
    const op = head(node);
    switch (op) {
        case 'i32.const': return { type: 'i32', value: Number(parseIntLiteral(atomOf(node, 1), 32)) };
        case 'i64.const': return { type: 'i64', value: parseIntLiteral(atomOf(node, 1), 64) };
        case 'f32.const': case 'f64.const': {
            const text = atomOf(node, 1);
            const type = op === 'f32.const' ? 'f32' : 'f64';
            if (text === 'nan:canonical' || text === 'nan:arithmetic') return { type, value: text };
            return { type, value: parseFloatLiteral(text, type === 'f32') };
        }
        case 'ref.null': return { type: 'ref.null', heap: node.items[1]?.kind === 'atom' ? node.items[1].text : 'func' };
        case 'ref.func': return { type: 'ref.func' };
        case 'ref.extern': return { type: 'ref.extern', value: Number(atomOf(node, 1)) };
        case 'either': return { type: 'either', options: node.items.slice(1).map(parseExpected) };
        default: throw new WastValueError(`unsupported expected result (${op ?? '?'} ...)`);
    }
}

export function matches(expected: Expected, actual: unknown): boolean {
    switch (expected.type) {
        case 'i32': return typeof actual === 'number' && (actual | 0) === expected.value;
        case 'i64': return typeof actual === 'bigint' && BigInt.asIntN(64, actual) === expected.value;
        case 'f32': case 'f64':
            if (typeof actual !== 'number') return false;
            if (typeof expected.value === 'string') return Number.isNaN(actual);
            return Object.is(actual, expected.value) || (Number.isNaN(actual) && Number.isNaN(expected.value));
        case 'ref.null': return actual === null;
        case 'ref.func': return typeof actual === 'function';
        case 'ref.extern': return actual === externRef(expected.value);
        case 'either': return expected.options.some(o => matches(o, actual));
    }
}

export function describeExpected(e: Expected): string {
    switch (e.type) {
        case 'i32': case 'i64': case 'f32': case 'f64': return `${e.type}:${String(e.value)}`;
        case 'ref.null': return `ref.null ${e.heap}`;
        case 'ref.func': return 'ref.func';
        case 'ref.extern': return `ref.extern ${e.value}`;
        case 'either': return `either(${e.options.map(describeExpected).join(', ')})`;
    }
}

/** A result as the JS API returned it, named by the type it was expected to have where that helps. */
export function describeActual(actual: unknown, expected?: Expected): string {
    if (typeof actual === 'bigint') return `i64:${BigInt.asIntN(64, actual)}`;
    if (typeof actual === 'number') {
        const t = expected && expected.type !== 'either' && expected.type.startsWith('f') ? expected.type : (Number.isInteger(actual) ? 'i32' : 'f64');
        return `${t}:${String(Object.is(actual, -0) ? '-0' : actual)}`;
    }
    if (actual === null) return 'ref.null';
    if (typeof actual === 'function') return 'ref.func';
    if (actual === undefined) return 'nothing';
    return String(actual);
}
