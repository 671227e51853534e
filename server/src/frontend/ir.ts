// The typed, resolved program the engine compiles (lowered from the checked syntax tree by lower-ir.ts).
// Every expression carries the checker's Whamm type, what its names resolve to (a script variable, a bound
// variable of the probe's events, a built-in, a script / library / bound function, a string method), its
// literal value already parsed and range-checked, and its document span for messages. Nothing in here
// refers to the syntax tree: the engine needs no parser types.
import type { BuiltinLowering } from './builtins.js';
import type { EventMatch } from './rule-match.js';
import type { Type } from './types.js';

/** Document offsets, end exclusive. */
export interface Span { start: number; end: number }

/** A script variable: one per declaration (a function parameter too). */
export interface IrVar {
    name: string;
    type: Type;
    /** `global`: one instance; `report`: flushed at the end (per site inside a probe); `unshared`: one per
     *  match site; `local`: re-initialised at every execution; `param`: a function parameter. */
    storage: 'global' | 'report' | 'unshared' | 'local' | 'param';
    /** One instance per match site (`unshared`, and `report` inside a probe). */
    perSite: boolean;
    /** Where the variable is read or written: probe indices, -1 for code outside probes. */
    usedIn: Set<number>;
    span: Span;
}

interface E { type: Type; span: Span }

export type UnaryOp = '!' | '~' | '-';
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type IrExpr =
    | E & { kind: 'int'; value: bigint }
    | E & { kind: 'float'; value: number }
    | E & { kind: 'bool'; value: boolean }
    /** Escapes resolved. */
    | E & { kind: 'str'; value: string }
    | E & { kind: 'var'; var: IrVar }
    /** A bound variable of the probe's events (`fid`, `arg0`); `isStatic`: known at every matched site. */
    | E & { kind: 'bound'; name: string; isStatic: boolean }
    /** A built-in constant (`APP_MEMID`). */
    | E & { kind: 'const'; name: string; lower: BuiltinLowering }
    /** A library named as an argument (`memid(alpha)`). */
    | E & { kind: 'lib'; name: string }
    | E & { kind: 'unary'; op: UnaryOp; operand: IrExpr }
    | E & { kind: 'binary'; op: BinaryOp; left: IrExpr; right: IrExpr }
    | E & { kind: 'cast'; to: Type; expr: IrExpr }
    | E & { kind: 'ternary'; cond: IrExpr; then: IrExpr; else: IrExpr }
    | E & { kind: 'tuple'; elems: IrExpr[] }
    /** `t.1.0`: the element at `path`. */
    | E & { kind: 'field'; recv: IrExpr; path: number[] }
    /** `m[k]` on a map, or on a static table (`targets[i]`). */
    | E & { kind: 'index'; recv: IrExpr; index: IrExpr }
    | E & { kind: 'call'; callee: IrCallee; args: IrExpr[] }
    /** `lib.fn(...)`; `isStatic` under `@static` (evaluated at instrumentation time, per site). */
    | E & { kind: 'lib-call'; lib: string; fn: string; args: IrExpr[]; isStatic: boolean }
    /** `s.len()` and the other string methods. */
    | E & { kind: 'method'; recv: IrExpr; name: string; lower: BuiltinLowering; args: IrExpr[] };

export type IrCallee =
    | { kind: 'function'; name: string; params: Type[]; result: Type }
    | { kind: 'builtin'; name: string; lower: BuiltinLowering }
    /** A bound function of the probe's events (`drop_args`, `alt_call_by_id`, `dup_at`, `resolve_funcref`). */
    | { kind: 'bound-fn'; name: string; lower: BuiltinLowering };

export interface IrDecl { kind: 'decl'; var: IrVar; init?: IrExpr; span: Span }
export interface IrIf { kind: 'if'; cond: IrExpr; then: IrStmt[]; elifs: { cond: IrExpr; body: IrStmt[] }[]; elseIf?: IrIf; else?: IrStmt[]; span: Span }

export type IrStmt =
    | IrDecl
    | IrIf
    | { kind: 'assign'; target: IrExpr; value: IrExpr; span: Span }
    | { kind: 'incdec'; op: '++' | '--'; target: IrExpr; span: Span }
    | { kind: 'block'; body: IrStmt[]; span: Span }
    | { kind: 'expr'; expr: IrExpr; span: Span }
    | { kind: 'return'; value?: IrExpr; span: Span };

export interface IrFunction { name: string; params: IrVar[]; result: Type; body: IrStmt[]; span: Span }

export interface IrProbe {
    /** Position among the script's probes. */
    index: number;
    /** The rule as written (`wasm:opcode:call:before`). */
    rule: string;
    span: Span;
    ruleSpan: Span;
    /** The (event, mode) pairs the rule matches. */
    matches: readonly EventMatch[];
    /** Type bounds by bound variable name (`arg0` -> `i32`). */
    bounds: Map<string, string>;
    predicate?: IrExpr;
    body: IrStmt[];
    /** `report`/`unshared` declarations of the body at any depth, in order (the same objects as in `body`). */
    siteVars: IrDecl[];
    /** Bound variables and bound functions the predicate and body name. */
    uses: ReadonlySet<string>;
    /** Bound variables the body assigns (`arg0 = 1;`). */
    writes: ReadonlySet<string>;
    /** The probe calls `@static lib.fn()` somewhere. */
    hasStaticCalls: boolean;
}

export interface IrProgram {
    /** Libraries named by `use`, in order. */
    uses: string[];
    /** Script-level variable declarations, in order. */
    globals: IrDecl[];
    /** Top-level statements that are not declarations, in order (they run at start-up). */
    topStatements: IrStmt[];
    functions: IrFunction[];
    probes: IrProbe[];
    /** Library functions called at run time (not under `@static`), each once: globals' initialisers first,
     *  then top-level code, functions, probes. */
    libraryCalls: { lib: string; fn: string; span: Span }[];
    /** Lowering keys of the built-in and bound functions and string methods called anywhere. */
    lowerings: ReadonlySet<BuiltinLowering>;
    /** Line and character (0-based) of a document offset, for messages. */
    position(offset: number): { line: number; character: number };
}

/** Direct sub-expressions and sub-statements of a node, for iterative walks over the IR. */
export function irChildren(n: IrExpr | IrStmt): (IrExpr | IrStmt)[] {
    switch (n.kind) {
        case 'unary': return [n.operand];
        case 'binary': return [n.left, n.right];
        case 'cast': return [n.expr];
        case 'ternary': return [n.cond, n.then, n.else];
        case 'tuple': return n.elems;
        case 'field': return [n.recv];
        case 'index': return [n.recv, n.index];
        case 'call': case 'lib-call': return n.args;
        case 'method': return [n.recv, ...n.args];
        case 'decl': return n.init ? [n.init] : [];
        case 'if': return [n.cond, ...n.then, ...n.elifs.flatMap(e => [e.cond, ...e.body]), ...(n.elseIf ? [n.elseIf] : []), ...(n.else ?? [])];
        case 'assign': return [n.target, n.value];
        case 'incdec': return [n.target];
        case 'block': return n.body;
        case 'expr': return [n.expr];
        case 'return': return n.value ? [n.value] : [];
        default: return [];
    }
}
