// The checked program as the engine compiles it: the front-end's typed IR (server/src/frontend/ir.ts)
// with, per probe, what the code generator needs to know up front: the checker's matched events, bound
// variables read, written and called, per-site variables, and whether the probe is a mergeable counter.
// Names were resolved and typed by the checker; nothing here sees the syntax tree.
import type { IrDecl, IrFunction, IrProbe, IrProgram, IrStmt, Program, Type } from '../frontend/index.js';
import type { WType } from './types.js';

/** A probe as the code generator sees it: the checker's IR probe (same fields, same objects) plus what is
 * known up front about its code. `uses` key the code cache; `writes` are operands saved and pushed back;
 * `@static` calls are evaluated per site, never cached. */
export interface ProbeDef extends Pick<IrProbe, 'index' | 'rule' | 'matches' | 'bounds' | 'predicate' | 'body' | 'siteVars' | 'uses' | 'writes' | 'hasStaticCalls'> {
    ir: IrProbe;
    /** Nothing in the probe depends on the site: one compiled body serves every site. */
    siteIndependent: boolean;
    /** The probe only counts: `x++` on a global or on its own per-site integer variable. */
    counter?: { name: string; type: WType; perSite: boolean; report: boolean };
}

export interface ScriptModel {
    program: Program;
    ir: IrProgram;
    uses: string[];
    globals: IrDecl[];
    /** Top-level statements that are not declarations, in order (run at start-up). */
    topStatements: IrStmt[];
    functions: IrFunction[];
    probes: ProbeDef[];
}

/** A Whamm type as the runtime names map types and the report prints types: `u32`, `(u32,i64)`, `map<u32,u32>`. */
export function typeText(t: Type): string {
    switch (t.kind) {
        case 'tuple': return `(${t.elems.map(typeText).join(',')})`;
        case 'map': return `map<${typeText(t.key)},${typeText(t.value)}>`;
        case 'unit': return 'unit';
        default: return t.kind;
    }
}

/** The engine's name for a scalar (or tuple / map / unit) Whamm type. */
export function wtype(t: Type): WType {
    return (t.kind === 'unknown' ? 'unit' : t.kind) as WType;
}

export function buildScriptModel(program: Program): ScriptModel {
    const ir = program.ir;
    if (!ir) throw new Error('the program has errors: it cannot be compiled');
    const probes = ir.probes.map((p): ProbeDef => {
        const siteIndependent = !p.hasStaticCalls && p.siteVars.length === 0 && p.bounds.size === 0 && p.uses.size === 0;
        return { ...p, ir: p, siteIndependent };
    });
    const model: ScriptModel = {
        program, ir, uses: ir.uses, globals: ir.globals, topStatements: ir.topStatements, functions: ir.functions, probes,
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
    const globals = new Map<ProbeDef, IrDecl>();
    const globalDecls = new Map(model.globals.map(d => [d.var, d]));
    for (const p of model.probes) {
        if (p.predicate || p.hasStaticCalls || p.bounds.size) continue;
        const st = p.body;
        let decl: IrDecl | undefined;
        let inc = st[0];
        if (st.length === 2 && st[0].kind === 'decl' && st[0].var.perSite && !st[0].init) { decl = st[0]; inc = st[1]; }
        else if (st.length !== 1) continue;
        if (inc?.kind !== 'incdec' || inc.op !== '++' || inc.target.kind !== 'var') continue;
        const v = inc.target.var;
        if (v.storage !== 'global' && v.storage !== 'report' && v.storage !== 'unshared') continue;
        const t = wtype(v.type);
        if (!INT_NAMES.has(t)) continue;
        if (decl) {
            if (decl.var !== v) continue;
            candidate.set(p, { name: v.name, type: t, perSite: true, report: v.storage === 'report' });
        } else {
            const g = globalDecls.get(v);
            if (!g || g.init) continue;
            candidate.set(p, { name: v.name, type: t, perSite: false, report: v.storage === 'report' });
            globals.set(p, g);
        }
    }
    // A global counter must not be read anywhere else (a read would see the merged, early count).
    const counting = new Set<number>();
    for (const [p, c] of candidate) if (!c.perSite) counting.add(p.index);
    const readElsewhere = (g: IrDecl) => [...g.var.usedIn].some(owner => !counting.has(owner));
    for (const [p, c] of candidate) {
        const g = globals.get(p);
        if (g && readElsewhere(g)) continue;
        p.counter = c;
    }
}

const INT_NAMES = new Set(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64']);

/** A type's tuple structure: a leaf type, or its elements' structures (as tuples.ts's TupleShape). */
type Shape = WType | Shape[];
function shapeOfType(t: Type): Shape {
    return t.kind === 'tuple' ? t.elems.map(shapeOfType) : wtype(t);
}

/** Key and value types of a map type, or undefined for other types. Tuple keys are flattened. */
export function mapShape(t: Type): { keys: WType[]; value: WType; typeText: string; keyShape: Shape; valueShape: Shape; values: WType[] } | undefined {
    if (t.kind !== 'map') return undefined;
    const leaves = (s: Shape): WType[] => (Array.isArray(s) ? s.flatMap(leaves) : [s]);
    const keyShape = shapeOfType(t.key), valueShape = shapeOfType(t.value);
    return { keys: leaves(keyShape), value: typeText(t.value) as WType, typeText: typeText(t), keyShape, valueShape, values: leaves(valueShape) };
}
