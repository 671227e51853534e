// The checker's result types, its scopes, and the helpers its passes share.
import type { AstNode } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { type ParsedRule, type TypeBound } from '../language/rule-parser.js';
import { type BoundVarDef, type CatalogView } from './catalog-view.js';
import { type EventMatch } from './rule-match.js';
import type { BoundSymbol, ScriptSymbol, UserLibs, VarSymbol } from './symbols.js';
import { type Type } from './types.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface CheckDiagnostic {
    severity: Severity;
    message: string;
    /** Document offsets, end exclusive. */
    start: number;
    end: number;
    code: string;
    /** Marks unused / unreachable code (editors fade it). */
    unnecessary?: boolean;
}

export interface ProbeInfo {
    probe: ast.Probe;
    rule: ParsedRule;
    /** Document offset of the rule text. */
    ruleOffset: number;
    /** (event, mode) pairs the probe applies to. */
    matches: EventMatch[];
    /** Distinct modes among the matches ('' for mode-less events). */
    modes: string[];
    /** Type bounds by name (`arg0`, `local1`, `res0`). */
    bounds: Map<string, TypeBound>;
    /** Bound variables the probe's code actually uses. */
    boundVars: Map<string, BoundSymbol>;
    /** Names of the bound variables and bound functions the probe's code reads, writes or calls. */
    uses: Set<string>;
    /** Bound variables the body assigns (`arg0 = 1;`). */
    writes: Set<string>;
    /** `report`/`unshared` declarations of the body, in order: one instance per match site. */
    siteVars: ast.VarDecl[];
    /** The probe calls `@static lib.fn()` somewhere (evaluated at each site). */
    hasStaticCalls: boolean;
}

/** A library function called at run time (not under `@static`). */
export interface LibraryCall { lib: string; fn: string; node: ast.MemberExpr }

export interface CheckOptions {
    catalog?: CatalogView;
    /** Export signatures of user libraries; without them library calls are not type checked. */
    userLibs?: UserLibs;
}

export interface CheckResult {
    diagnostics: CheckDiagnostic[];
    probes: ProbeInfo[];
    /** The type of an expression node (undefined for nodes that are not expressions). */
    typeOf(node: AstNode): Type | undefined;
    /** What a VarRef, CallExpr or MemberExpr (library call / string method) refers to. */
    symbolOf(node: AstNode): ScriptSymbol | undefined;
    /** The symbol a declaration (VarDecl, Param, FnDef, Use) introduces. */
    declared(node: AstNode): ScriptSymbol | undefined;
    /** The probe information of a probe node. */
    probeInfo(probe: ast.Probe): ProbeInfo | undefined;
    /** Script-level symbols (globals, functions, libraries), in declaration order. */
    globals: ScriptSymbol[];
    /** Library functions called at run time, each once, in the order the checker met them. */
    libraryCalls: LibraryCall[];
    /** Names of the built-in and bound functions called anywhere (`read_str`, `memcpy`, `dup_at`...). */
    calledFunctions: Set<string>;
    /** String methods called on run-time strings (`len`, `contains`...). */
    stringMethods: Set<string>;
    /** The references to a script variable (reads and writes). */
    referencesOf(sym: VarSymbol): readonly ast.VarRef[];
}

export const FAMILY = /^(arg|res|imm|local)(\d+)$/;

export class Scope {
    readonly names = new Map<string, ScriptSymbol>();
    constructor(readonly parent: Scope | undefined) {}
    lookup(name: string): ScriptSymbol | undefined {
        for (let s: Scope | undefined = this; s; s = s.parent) {
            const hit = s.names.get(name);
            if (hit) return hit;
        }
        return undefined;
    }
}

export interface ProbeCtx { info: ProbeInfo; isAlt: boolean; isAfterOnly: boolean }

export function findVar(vars: readonly BoundVarDef[], name: string): BoundVarDef | undefined {
    let family: BoundVarDef | undefined;
    for (const v of vars) {
        if (!v.indexed && v.name === name) return v;
        if (v.indexed && !family && name.startsWith(v.name) && /^\d+$/.test(name.substring(v.name.length))
            && Number(name.substring(v.name.length)) >= (v.from ?? 0)) family = v;
    }
    return family;
}

export function containsMap(t: ast.TypeRef | undefined): boolean {
    if (!t) return false;
    return t.$type === 'MapType' || (t.$type === 'TupleType' && t.elems.some(containsMap));
}

export function catalogNames(catalog: CatalogView): Set<string> {
    const names = new Set<string>();
    for (const v of catalog.providerVars) if (!v.indexed) names.add(v.name);
    for (const e of catalog.events) for (const v of e.vars) if (!v.indexed) names.add(v.name);
    return names;
}

export function available(matches: readonly EventMatch[], family: string): string[] {
    const names = new Set<string>();
    for (const m of matches) for (const v of m.event.vars) {
        if (v.indexed && v.name === family) names.add(`${family}N`);
        else if (!v.indexed && FAMILY.exec(v.name)?.[1] === family) names.add(v.name);
    }
    return [...names].sort();
}

export function familyWord(family: string): string {
    return family === 'arg' ? 'operands' : family === 'res' ? 'results' : family === 'imm' ? 'immediates' : 'locals';
}

export function describeMatches(matches: readonly EventMatch[]): string {
    const events = [...new Set(matches.map(m => m.event.rule))];
    if (events.length === 0) return 'this probe';
    if (events.length === 1) return `\`${events[0]}\``;
    if (events.length <= 3) return events.map(e => `\`${e}\``).join(', ');
    return `the ${events.length} matched events`;
}

export function describeKind(sym: ScriptSymbol): string {
    switch (sym.kind) {
        case 'function': return 'a function';
        case 'library': return 'a library';
        case 'builtin': return 'a built-in constant';
        case 'builtin-fn': case 'bound-fn': return 'a built-in function';
        case 'bound': return 'a bound variable';
        default: return 'a variable';
    }
}

export function isLibContext(e: ast.VarRef): boolean {
    const c = e.$container;
    return c?.$type === 'MemberExpr' && (c as ast.MemberExpr).receiver === e;
}

/** Expressions whose type adapts to the context (literals and operators over literals). */
export function isFlexible(e: ast.Expression | undefined): boolean {
    if (!e) return false;
    switch (e.$type) {
        case 'IntLit': case 'FloatLit': return true;
        case 'UnaryExpr': return e.op !== '!' && isFlexible(e.operand);
        case 'BinaryExpr': return !['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(e.operator) && isFlexible(e.left) && isFlexible(e.right);
        case 'TernaryExpr': return isFlexible(e.then) && isFlexible(e.else);
        default: return false;
    }
}

export function parseIntLit(text: string): bigint | undefined {
    try {
        return BigInt(text.replace(/_/g, ''));
    } catch {
        return undefined;
    }
}

