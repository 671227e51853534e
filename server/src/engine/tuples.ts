// Tuples as values: a tuple variable is stored flat, one wasm global or local per scalar leaf, in leaf
// order and at consecutive indices, so a binding needs only its first leaf and the tuple's shape.
// `t.1.0` then names a fixed leaf range, resolved at compile time.
import type { TypeRef } from '../language/generated/ast.js';
import type { WType } from './types.js';
import { typeText } from './script.js';

/** A tuple's shape: a leaf type, or the shapes of its elements. */
export type TupleShape = WType | TupleShape[];

export function shapeOf(t: TypeRef): TupleShape {
    return t.$type === 'TupleType' ? t.elems.map(shapeOf) : typeText(t) as WType;
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

/** `t.0` gives tupleIndex "0"; `t.1.0` lexes the path as one token. */
export function tuplePathOf(e: { tupleIndex?: string; tuplePath?: string }): number[] | undefined {
    const text = e.tuplePath ?? e.tupleIndex;
    if (text === undefined) return undefined;
    return text.split('.').map(Number);
}

/**
 * Storage of a probe's per-site variables: one global per leaf (a map or scalar is one leaf). `first[k]`
 * is the leaf index of declaration k, the id its binding uses; `leaves` lists every leaf's type.
 */
export function siteSlots(decls: readonly { type: TypeRef }[]): { first: number[]; leaves: WType[]; shapes: (TupleShape | undefined)[] } {
    const first: number[] = [], leaves: WType[] = [], shapes: (TupleShape | undefined)[] = [];
    for (const d of decls) {
        first.push(leaves.length);
        if (d.type.$type === 'TupleType') {
            const s = shapeOf(d.type);
            shapes.push(s);
            leaves.push(...leafTypes(s));
        } else {
            shapes.push(undefined);
            leaves.push(d.type.$type === 'MapType' ? 'i32' : typeText(d.type) as WType);
        }
    }
    return { first, leaves, shapes };
}
