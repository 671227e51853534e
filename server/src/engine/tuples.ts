// Tuples as values: a tuple variable is stored flat, one wasm global or local per scalar leaf, in leaf
// order and at consecutive indices, so a binding needs only its first leaf and the tuple's shape.
// `t.1.0` then names a fixed leaf range, resolved at compile time.
import type { Type } from '../frontend/index.js';
import type { WType } from './types.js';
import { wtype } from './script.js';

/** A tuple's shape: a leaf type, or the shapes of its elements. */
export type TupleShape = WType | TupleShape[];

export function shapeOf(t: Type): TupleShape {
    return t.kind === 'tuple' ? t.elems.map(shapeOf) : wtype(t);
}

export function leafTypes(s: TupleShape): WType[] {
    return Array.isArray(s) ? s.flatMap(leafTypes) : [s];
}

export function leafCount(s: TupleShape): number {
    return Array.isArray(s) ? s.reduce((n, e) => n + leafCount(e), 0) : 1;
}

/** The element at `path` (`1.0` = second element's first): its shape and first leaf's offset. */
export function elementAt(s: TupleShape, path: number[]): { shape: TupleShape; offset: number } | undefined {
    let offset = 0;
    for (const i of path) {
        if (!Array.isArray(s) || i < 0 || i >= s.length) return undefined;
        for (let k = 0; k < i; k++) offset += leafCount(s[k]);
        s = s[i];
    }
    return { shape: s, offset };
}

/**
 * Storage of a probe's per-site variables: one global per leaf (a map or scalar is one leaf). `first[k]`
 * is the leaf index of declaration k, the id its binding uses; `leaves` lists every leaf's type.
 */
export function siteSlots(decls: readonly { var: { type: Type } }[]): { first: number[]; leaves: WType[]; shapes: (TupleShape | undefined)[] } {
    const first: number[] = [], leaves: WType[] = [], shapes: (TupleShape | undefined)[] = [];
    for (const d of decls) {
        const t = d.var.type;
        first.push(leaves.length);
        if (t.kind === 'tuple') {
            const s = shapeOf(t);
            shapes.push(s);
            leaves.push(...leafTypes(s));
        } else {
            shapes.push(undefined);
            leaves.push(t.kind === 'map' ? 'i32' : wtype(t));
        }
    }
    return { first, leaves, shapes };
}
