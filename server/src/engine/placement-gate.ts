// A probe's predicate decided from a site's static facts without the compiler: when the whole predicate is
// comparisons of `fid`, `pc`, `opidx` and memory-argument facts with integer literals (or with each
// other), joined by `&&`, `||` and `!`, it becomes one closure per probe. A site whose predicate is false
// is skipped before its site facts are built, and the code cache keys the sites where it is true on the
// names the body reads only (a predicate on `pc` otherwise makes every site's key distinct, so the probe
// was compiled again at every site).
import type { IrExpr, IrProbe } from '../frontend/index.js';

/** What a predicate may read: the site's static facts (memory-argument ones on loads and stores only). */
export interface GateFacts {
    fid: number;
    pc: number;
    opidx: number;
    memarg?: { offset: bigint; align: number; memory: number; bytes: number };
}

export interface StaticGate {
    /** The predicate at a site: true/false, or undefined when the site lacks a fact it reads. */
    test(s: GateFacts): boolean | undefined;
    /** It reads memory-argument facts (the instruction's immediates must be decoded first). */
    memarg: boolean;
    /** The bound names the predicate reads that nothing else in the probe reads. */
    predicateOnly: Set<string>;
}

/** The Whamm type each fact has where the compiler folds it (engine/bound-vars.ts). */
const FACT_TYPES: Record<string, string> = { fid: 'u32', pc: 'u32', opidx: 'u32', offset: 'u64', align: 'u32', memory: 'u32', data_size: 'u32' };
const MEMARG = new Set(['offset', 'align', 'memory', 'data_size']);
const INT_BITS: Record<string, [number, boolean]> = {
    u8: [8, false], i8: [8, true], u16: [16, false], i16: [16, true], u32: [32, false], i32: [32, true], u64: [64, false], i64: [64, true],
};

type Val = (s: GateFacts) => bigint | boolean | undefined;

function fact(name: string): Val {
    switch (name) {
        case 'fid': return s => BigInt(s.fid);
        case 'pc': return s => BigInt(s.pc);
        case 'opidx': return s => BigInt(s.opidx);
        case 'offset': return s => s.memarg?.offset;
        case 'align': return s => (s.memarg ? BigInt(s.memarg.align) : undefined);
        case 'memory': return s => (s.memarg ? BigInt(s.memarg.memory) : undefined);
        default: return s => (s.memarg ? BigInt(s.memarg.bytes) : undefined);
    }
}

const COMPARE: Record<string, (a: bigint, b: bigint) => boolean> = {
    '==': (a, b) => a === b, '!=': (a, b) => a !== b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

/**
 * The predicate as a closure, or undefined when it reads anything else (operands, globals, strings,
 * arithmetic, calls): those are decided by the compiler at each site as before. Integer comparisons are
 * exact as plain comparisons of values because both sides have the same integer type and lie in its range.
 * Built with an explicit stack of pending nodes (no recursion on the predicate's depth).
 */
export function staticGate(p: Pick<IrProbe, 'predicate' | 'hasStaticCalls' | 'body' | 'siteVars'>): StaticGate | undefined {
    const pred = p.predicate;
    if (!pred || p.hasStaticCalls) return undefined;
    const names = new Set<string>();
    const built = new Map<IrExpr, Val>();
    // Post-order: a node is built after its operands.
    const stack: { e: IrExpr; done: boolean }[] = [{ e: pred, done: false }];
    while (stack.length) {
        const top = stack.pop()!;
        const e = top.e;
        if (!top.done) {
            stack.push({ e, done: true });
            if (e.kind === 'binary') { stack.push({ e: e.left, done: false }, { e: e.right, done: false }); continue; }
            if (e.kind === 'unary') { stack.push({ e: e.operand, done: false }); continue; }
            continue;
        }
        let v: Val | undefined;
        switch (e.kind) {
            case 'bool': { const b = e.value; v = () => b; break; }
            case 'int': {
                const r = INT_BITS[e.type.kind];
                if (!r) return undefined;
                const [bits, signed] = r;
                if ((signed ? BigInt.asIntN(bits, e.value) : BigInt.asUintN(bits, e.value)) !== e.value) return undefined;
                const x = e.value;
                v = () => x;
                break;
            }
            case 'bound':
                if (FACT_TYPES[e.name] === undefined || FACT_TYPES[e.name] !== e.type.kind) return undefined;
                names.add(e.name);
                v = fact(e.name);
                break;
            case 'unary': {
                if (e.op !== '!' || e.operand.type.kind !== 'bool') return undefined;
                const a = built.get(e.operand)!;
                v = s => { const x = a(s); return x === undefined ? undefined : !x; };
                break;
            }
            case 'binary': {
                const a = built.get(e.left)!, b = built.get(e.right)!;
                if (e.op === '&&' || e.op === '||') {
                    if (e.left.type.kind !== 'bool' || e.right.type.kind !== 'bool') return undefined;
                    const and = e.op === '&&';
                    v = s => { const x = a(s), y = b(s); return x === undefined || y === undefined ? undefined : and ? (x as boolean) && (y as boolean) : (x as boolean) || (y as boolean); };
                    break;
                }
                const cmp = COMPARE[e.op];
                if (!cmp || e.left.type.kind !== e.right.type.kind || !INT_BITS[e.left.type.kind]) return undefined;
                v = s => { const x = a(s), y = b(s); return x === undefined || y === undefined ? undefined : cmp(x as bigint, y as bigint); };
                break;
            }
            default: return undefined;
        }
        built.set(e, v);
    }
    const root = built.get(pred)!;
    const test = (s: GateFacts): boolean | undefined => { const r = root(s); return r === undefined ? undefined : r === true; };
    const elsewhere = stringsIn([p.body, p.siteVars]);
    const predicateOnly = new Set([...names].filter(n => !elsewhere.has(n)));
    return { test, memarg: [...names].some(n => MEMARG.has(n)), predicateOnly };
}

/**
 * Every string anywhere in a probe's body and per-site variables (an over-approximation of the names
 * they read: a predicate name found here stays in the code cache key).
 */
function stringsIn(roots: unknown[]): Set<string> {
    const out = new Set<string>();
    const seen = new Set<object>();
    const pending: unknown[] = [...roots];
    while (pending.length) {
        const x = pending.pop();
        if (typeof x === 'string') { out.add(x); continue; }
        if (!x || typeof x !== 'object' || seen.has(x)) continue;
        seen.add(x);
        if (x instanceof Set || x instanceof Map || Array.isArray(x)) { for (const y of (x as Iterable<unknown>)) pending.push(y); continue; }
        for (const [k, y] of Object.entries(x)) if (k !== 'span') pending.push(y);
    }
    return out;
}
