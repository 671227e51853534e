// The compiler's vocabulary: partial values (PV), storage bindings, what it needs from the instrumenter
// (CompileHost), the bound variables of one site (SiteEnv), and the expression context built-ins use.
import type { IrExpr, Span } from '../frontend/index.js';
import type { CodeWriter } from './emit.js';
import type { SiteInfo } from './site.js';
import type { Const, WType, ValType } from './types.js';
import type { TupleShape } from './tuples.js';
import type { STRING_IMPORTS } from '../runtime/spec.js';

export type StringImport = keyof typeof STRING_IMPORTS;

export class CompileError extends Error {
    /** `at`: the IR node (or its span) the message is about. */
    constructor(message: string, at?: { span: Span } | Span) {
        super(message);
        this.span = at && 'span' in at ? at.span : at;
    }
    readonly span: Span | undefined;
}

export interface PV {
    t: WType;
    isConst: boolean;
    v?: Const;
    /** An untyped literal: adopts the type of the other operand. */
    lit?: boolean;
    emit?: (w: CodeWriter) => void;
    /** No side effects (may be dropped when its value is not needed). */
    pure: boolean;
    /** Static map (br_table targets): index -> value. */
    table?: number[];
    /** A tuple value (t = 'tuple'): its elements, evaluated in order. */
    elems?: PV[];
}

/** Key and value types of a map variable (its storage holds the map's id, an i32). */
export interface MapShape {
    /** Key leaves, in order (a tuple key is passed flat). */
    keys: WType[];
    /** The value's type text (`u32`, `(u32,i64)`). */
    value: WType;
    typeText: string;
    keyShape: TupleShape;
    valueShape: TupleShape;
    /** Value leaves, in order (a tuple value is stored and returned flat). */
    values: WType[];
}

/** A tuple binding (t = 'tuple') names its first leaf; the others follow at consecutive indices. */
export type Binding =
    | { kind: 'global'; t: WType; index: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'site'; t: WType; id: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'local'; t: WType; id: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'param'; t: WType; index: number; map?: MapShape; tuple?: TupleShape };

/** The binding of the element `offset` leaves into tuple binding `b`, of shape `shape`. */
export function elementBinding(b: Binding, offset: number, shape: TupleShape): Binding {
    const t: WType = Array.isArray(shape) ? 'tuple' : shape;
    const tuple = Array.isArray(shape) ? shape : undefined;
    switch (b.kind) {
        case 'global': return { kind: 'global', t, index: b.index + offset, tuple };
        case 'param': return { kind: 'param', t, index: b.index + offset, tuple };
        case 'site': return { kind: 'site', t, id: b.id + offset, tuple };
        case 'local': return { kind: 'local', t, id: b.id + offset, tuple };
    }
}

/** Host services the compiler needs from the instrumenter. */
export interface CompileHost {
    /** Absolute function index of script function `name` and its signature. */
    scriptFunction(name: string): { index: number; params: WType[]; result: WType } | undefined;
    /** `@static lib.fn(args)`: evaluated now. */
    callStatic(lib: string, fn: string, args: Const[]): { t: WType; v: Const };
    /** A dynamic library call: function index of the import and its signature. */
    libraryImport?(lib: string, fn: string): { index: number; params: WType[]; result: WType } | undefined;
    /** Function index of the generated `(slot: i32) -> fid` lookup of `table`. */
    tableResolver?(table: number): number;
    /**
     * An app function named by `alt_call_by_id` (its index in the app) or `alt_call_by_name` (its export or
     * name-section name): its index in the instrumented module and its type.
     */
    appFunction?(by: number | string): { index: number; params: ValType[]; results: ValType[] } | undefined;
    /** Static memory facts: page size and initial size in pages of memory `mem`. */
    memory(mem: number): { pageSize: number; pages: number } | undefined;
    isLibrary(name: string): boolean;
    /** Index of the imported runtime function for a map operation on a map of this type. */
    mapFunction(op: 'get' | 'set' | 'inc', mapType: string): number;
    /** `map.run` of script-global map `name` when its increments may be batched (engine/map-batch.ts). */
    batchRun?(name: string): number | undefined;
}

/** The statically known and run-time bound variables of one site. */
export interface SiteEnv {
    site?: SiteInfo;
    /** Event name as matched (`call`, `entry`...). */
    event: string;
    mode: string;
    probeId: number;
    bounds: Map<string, string>;
    /** Scratch locals holding saved operands/results, by name (`arg0` -> local id). */
    saved: Map<string, { id: number; t: ValType }>;
}

/** What built-ins compiled outside the compiler (strings, memory) use of it. */
export interface ExprContext {
    readonly host: CompileHost;
    readonly env: SiteEnv | undefined;
    readonly w: CodeWriter;
    expr(e: IrExpr, expected?: WType): PV;
    coerce(v: PV, t: WType): PV;
    push(v: PV): void;
    boundVar(name: string): PV | undefined;
}

/** What the compiler needs from the instrumenter for run-time string operations. */
export interface StringHost {
    stringFunction(name: StringImport): number;
    memid(lib: string): number;
}
