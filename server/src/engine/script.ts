// The checked program as the engine compiles it: the front-end's Program (server/src/frontend/program.ts)
// with, per probe, what the code generator needs to know up front: the checker's matched events, bound
// variables read, written and called, per-site variables, and whether the probe is a mergeable counter.
// Nothing here walks the syntax tree: names were resolved and typed by the checker.
import type { FnDef, Probe, Statement, TypeRef, VarDecl } from '../language/generated/ast.js';
import type { ParsedRule } from '../language/rule-parser.js';
import type { EventMatch, Program, VarSymbol } from '../frontend/index.js';
import type { WType } from './types.js';

export interface ProbeDef {
    index: number;
    ast: Probe;
    rule: ParsedRule;
    /** The (event, mode) pairs the checker matched the rule to. */
    matches: readonly EventMatch[];
    /** Bounds from every part, by bound variable name (`arg0` -> `i32`, `local1` -> `i32`). */
    bounds: Map<string, string>;
    /** `report`/`unshared` declarations of the body: one instance per match site. */
    siteVars: VarDecl[];
    /** Bound variables and bound functions the predicate and body name (they key the code cache). */
    uses: ReadonlySet<string>;
    /** Bound variables the body assigns (`arg0 = 1;`): written operands must be saved and pushed back. */
    writes: ReadonlySet<string>;
    /** The probe calls `@static lib.fn()`: evaluated per site, never cached. */
    hasStaticCalls: boolean;
    /** Nothing in the probe depends on the site: one compiled body serves every site. */
    siteIndependent: boolean;
    /** The probe only counts: `x++` on a global or on its own per-site integer variable. */
    counter?: { name: string; type: WType; perSite: boolean; report: boolean };
}

export interface ScriptModel {
    program: Program;
    uses: string[];
    globals: VarDecl[];
    /** Top-level statements that are not declarations, in order (run at start-up). */
    topStatements: Statement[];
    functions: FnDef[];
    probes: ProbeDef[];
}

export function typeText(t: TypeRef): string {
    switch (t.$type) {
        case 'PrimType': return t.name;
        case 'TupleType': return `(${t.elems.map(typeText).join(',')})`;
        case 'MapType': return `map<${typeText(t.key)},${typeText(t.value)}>`;
    }
    return 'unknown';
}

export function buildScriptModel(program: Program): ScriptModel {
    const probes = program.probes.map((info, index): ProbeDef => {
        const bounds = new Map<string, string>();
        for (const [name, b] of info.bounds) bounds.set(name, b.type);
        const siteIndependent = !info.hasStaticCalls && info.siteVars.length === 0 && bounds.size === 0 && info.uses.size === 0;
        return {
            index, ast: info.probe, rule: info.rule, matches: info.matches, bounds, siteVars: info.siteVars,
            uses: info.uses, writes: info.writes, hasStaticCalls: info.hasStaticCalls, siteIndependent,
        };
    });
    const model: ScriptModel = {
        program, uses: program.uses, globals: program.globals, topStatements: program.topStatements,
        functions: program.functions, probes,
    };
    markCounters(model);
    return model;
}

/**
 * Counter probes: no predicate, body `[report|unshared var x: INT;] x++;`, where a global `x` is touched by
 * nothing but such increments. Their code can be merged per straight-line segment.
 */
function markCounters(model: ScriptModel): void {
    const candidate = new Map<ProbeDef, { name: string; type: WType; perSite: boolean; report: boolean }>();
    const globals = new Map<ProbeDef, VarSymbol>();
    for (const p of model.probes) {
        if (p.ast.predicate || p.hasStaticCalls || p.bounds.size) continue;
        const st = p.ast.body.stmts;
        let decl: VarDecl | undefined;
        let inc = st[0];
        if (st.length === 2 && st[0].$type === 'VarDecl' && (st[0].report || st[0].unshared) && !st[0].init) { decl = st[0]; inc = st[1]; }
        else if (st.length !== 1) continue;
        if (inc?.$type !== 'IncDec' || inc.op !== '++' || inc.target.$type !== 'VarRef') continue;
        const sym = model.program.check.symbolOf(inc.target);
        if (sym?.kind !== 'global' && sym?.kind !== 'report' && sym?.kind !== 'unshared') continue;
        const name = sym.name;
        if (decl) {
            if (sym.decl !== decl) continue;
            const t = typeText(decl.type) as WType;
            if (!INT_NAMES.has(t)) continue;
            candidate.set(p, { name, type: t, perSite: true, report: decl.report });
        } else {
            const g = sym.decl as VarDecl;
            if (sym.owner || g.init) continue;
            const t = typeText(g.type) as WType;
            if (!INT_NAMES.has(t)) continue;
            candidate.set(p, { name, type: t, perSite: false, report: g.report });
            globals.set(p, sym);
        }
    }
    // A global counter must not be read anywhere else (a read would see the merged, early count).
    const counting = new Set<Probe>();
    for (const [p, c] of candidate) if (!c.perSite) counting.add(p.ast);
    const readElsewhere = (sym: VarSymbol) => model.program.check.referencesOf(sym).some(ref => {
        let n: { $type: string; $container?: unknown } | undefined = ref;
        while (n && n.$type !== 'Probe') n = n.$container as typeof n;
        return !n || !counting.has(n as Probe);
    });
    for (const [p, c] of candidate) {
        const sym = globals.get(p);
        if (sym && readElsewhere(sym)) continue;
        p.counter = c;
    }
}

const INT_NAMES = new Set(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64']);

/** A type's tuple structure: a leaf type, or its elements' structures (as tuples.ts's TupleShape). */
type Shape = WType | Shape[];
function shapeOfType(t: TypeRef): Shape {
    return t.$type === 'TupleType' ? t.elems.map(shapeOfType) : typeText(t) as WType;
}

/** Key and value types of a map type, or undefined for other types. Tuple keys are flattened. */
export function mapShape(t: TypeRef): { keys: WType[]; value: WType; typeText: string; keyShape: Shape; valueShape: Shape; values: WType[] } | undefined {
    if (t.$type !== 'MapType') return undefined;
    const leaves = (s: Shape): WType[] => (Array.isArray(s) ? s.flatMap(leaves) : [s]);
    const keyShape = shapeOfType(t.key), valueShape = shapeOfType(t.value);
    return { keys: leaves(keyShape), value: typeText(t.value) as WType, typeText: typeText(t), keyShape, valueShape, values: leaves(valueShape) };
}
