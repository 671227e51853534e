// The script as the engine needs it: uses, global variables, functions and probes with their parsed
// match rules, in script order.
import type { Block, Expression, FnDef, Probe, Script, Statement, TypeRef, VarDecl } from '../language/generated/ast.js';
import { parseRule, type ParsedRule, type RulePart } from '../language/rule-parser.js';
import type { WType } from './types.js';

export interface ProbeDef {
    index: number;
    ast: Probe;
    rule: ParsedRule;
    provider: RulePart;
    pkg: RulePart;
    event?: RulePart;
    mode?: RulePart;
    /** Bounds from every part, by bound variable name (`arg0` -> `i32`, `local1` -> `i32`). */
    bounds: Map<string, string>;
    /** `report`/`unshared` declarations of the body: one instance per match site. */
    siteVars: VarDecl[];
    /** Names of bound variables the predicate and body read (to key the code cache). */
    uses: Set<string>;
    /** Names the body assigns to (`arg0 = 1;`, `x++;`): written operands must be saved and pushed back. */
    writes: Set<string>;
    /** The probe calls `@static lib.fn()`: evaluated per site, never cached. */
    hasStaticCalls: boolean;
    /** Nothing in the probe depends on the site: one compiled body serves every site. */
    siteIndependent: boolean;
    /** The probe only counts: `x++` on a global or on its own per-site integer variable. */
    counter?: { name: string; type: WType; perSite: boolean; report: boolean };
}

export interface ScriptModel {
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

export function buildScriptModel(script: Script): ScriptModel {
    const model: ScriptModel = { uses: [], globals: [], topStatements: [], functions: [], probes: [] };
    for (const item of script.items) {
        switch (item.$type) {
            case 'Use': model.uses.push(item.name); break;
            case 'FnDef': model.functions.push(item); break;
            case 'VarDecl': model.globals.push(item); break;
            case 'Probe': {
                const rule = parseRule(item.rule);
                const [provider, pkg, event, mode] = rule.parts;
                const bounds = new Map<string, string>();
                for (const p of rule.parts) for (const b of p.bounds) bounds.set(b.name, b.type);
                const siteVars: VarDecl[] = [];
                collectSiteVars(item.body, siteVars);
                const uses = new Set<string>();
                if (item.predicate) collectNames(item.predicate, uses);
                collectNames(item.body, uses);
                const writes = new Set<string>();
                collectWrites(item.body, writes);
                const hasStaticCalls = containsStaticCall(item);
                const siteIndependent = !hasStaticCalls && siteVars.length === 0 && bounds.size === 0 && ![...uses].some(isSiteDependentName);
                model.probes.push({ index: model.probes.length, ast: item, rule, provider, pkg, event, mode, bounds, siteVars, uses, writes, hasStaticCalls, siteIndependent });
                break;
            }
            default: model.topStatements.push(item as Statement);
        }
    }
    markCounters(model);
    return model;
}

/**
 * Counter probes: no predicate, body `[report|unshared var x: INT;] x++;`, where a global `x` is touched by
 * nothing but such increments. Their code can be merged per straight-line segment.
 */
function markCounters(model: ScriptModel): void {
    const candidate = new Map<ProbeDef, { name: string; type: WType; perSite: boolean; report: boolean }>();
    for (const p of model.probes) {
        if (p.ast.predicate || p.hasStaticCalls || p.bounds.size) continue;
        const st = p.ast.body.stmts;
        let decl: VarDecl | undefined;
        let inc = st[0];
        if (st.length === 2 && st[0].$type === 'VarDecl' && (st[0].report || st[0].unshared) && !st[0].init) { decl = st[0]; inc = st[1]; }
        else if (st.length !== 1) continue;
        if (inc?.$type !== 'IncDec' || inc.op !== '++' || inc.target.$type !== 'VarRef') continue;
        const name = inc.target.ref.$refText;
        if (decl) {
            if (decl.name !== name) continue;
            const t = typeText(decl.type) as WType;
            if (!INT_NAMES.has(t)) continue;
            candidate.set(p, { name, type: t, perSite: true, report: decl.report });
        } else {
            const g = model.globals.find(x => x.name === name);
            if (!g || g.init) continue;
            const t = typeText(g.type) as WType;
            if (!INT_NAMES.has(t)) continue;
            candidate.set(p, { name, type: t, perSite: false, report: g.report });
        }
    }
    // A global counter must not be read anywhere else (a read would see the merged, early count).
    const readers = new Map<string, number>();
    const count = (n: unknown): void => {
        if (!n || typeof n !== 'object') return;
        const o = n as Record<string, unknown>;
        if (o.$type === 'VarRef') { const r = (o.ref as { $refText?: string })?.$refText; if (r) readers.set(r, (readers.get(r) ?? 0) + 1); }
        for (const [k, v] of Object.entries(o)) {
            if (k.startsWith('$')) continue;
            if (Array.isArray(v)) v.forEach(count); else if (v && typeof v === 'object' && '$type' in (v as object)) count(v);
        }
    };
    for (const s of model.topStatements) count(s);
    for (const f of model.functions) count(f);
    for (const p of model.probes) if (!candidate.get(p) || candidate.get(p)!.perSite) count(p.ast);
    for (const [p, c] of candidate) {
        if (!c.perSite && readers.has(c.name)) continue;
        p.counter = c;
    }
}

const INT_NAMES = new Set(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64']);

function collectSiteVars(block: Block, out: VarDecl[]): void {
    for (const s of block.stmts) {
        if (s.$type === 'VarDecl' && (s.report || s.unshared)) out.push(s);
        else if (s.$type === 'Block') collectSiteVars(s, out);
        else if (s.$type === 'IfStmt') {
            let cur: typeof s | undefined = s;
            while (cur) {
                collectSiteVars(cur.then, out);
                for (const e of cur.elifs) collectSiteVars(e.body, out);
                if (cur.else) collectSiteVars(cur.else, out);
                cur = cur.elseIf;
            }
        }
    }
}

/** Every identifier referenced below `node` (variable references and callees). */
function collectNames(node: Expression | Block | Statement, out: Set<string>): void {
    const visit = (n: unknown): void => {
        if (!n || typeof n !== 'object') return;
        const o = n as Record<string, unknown>;
        if (o.$type === 'VarRef' || o.$type === 'CallExpr') {
            const ref = (o.$type === 'VarRef' ? o.ref : o.callee) as { $refText?: string } | undefined;
            if (ref?.$refText) out.add(ref.$refText);
        }
        for (const [k, v] of Object.entries(o)) {
            if (k.startsWith('$')) continue;
            if (Array.isArray(v)) v.forEach(visit);
            else if (v && typeof v === 'object' && '$type' in (v as object)) visit(v);
        }
    };
    visit(node);
}

function collectWrites(node: Block, out: Set<string>): void {
    const visit = (n: unknown): void => {
        if (!n || typeof n !== 'object') return;
        const o = n as Record<string, unknown>;
        if (o.$type === 'Assignment' || o.$type === 'IncDec') {
            const t = o.target as { $type?: string; ref?: { $refText?: string } } | undefined;
            if (t?.$type === 'VarRef' && t.ref?.$refText) out.add(t.ref.$refText);
        }
        for (const [k, v] of Object.entries(o)) {
            if (k.startsWith('$')) continue;
            if (Array.isArray(v)) v.forEach(visit);
            else if (v && typeof v === 'object' && '$type' in (v as object)) visit(v);
        }
    };
    visit(node);
}

/** True when `@static` appears anywhere below `node`. */
function containsStaticCall(node: unknown): boolean {
    if (!node || typeof node !== 'object') return false;
    const o = node as Record<string, unknown>;
    if (o.$type === 'DecoratedCall' && o.decorator === '@static') return true;
    for (const [k, v] of Object.entries(o)) {
        if (k.startsWith('$')) continue;
        if (Array.isArray(v)) { if (v.some(containsStaticCall)) return true; }
        else if (v && typeof v === 'object' && '$type' in (v as object) && containsStaticCall(v)) return true;
    }
    return false;
}

/** Key and value types of a map type, or undefined for other types. Tuple keys are flattened. */
/** A type's tuple structure: a leaf type, or its elements' structures (as tuples.ts's TupleShape). */
type Shape = WType | Shape[];
function shapeOfType(t: TypeRef): Shape {
    return t.$type === 'TupleType' ? t.elems.map(shapeOfType) : typeText(t) as WType;
}

export function mapShape(t: TypeRef): { keys: WType[]; value: WType; typeText: string; keyShape: Shape; valueShape: Shape; values: WType[] } | undefined {
    if (t.$type !== 'MapType') return undefined;
    const leaves = (s: Shape): WType[] => (Array.isArray(s) ? s.flatMap(leaves) : [s]);
    const keyShape = shapeOfType(t.key), valueShape = shapeOfType(t.value);
    return { keys: leaves(keyShape), value: typeText(t.value) as WType, typeText: typeText(t), keyShape, valueShape, values: leaves(valueShape) };
}

/** (library, function) pairs called at run time (`lib.fn()` not under `@static`), in script order. */
export function libraryCalls(model: ScriptModel): [string, string, Expression][] {
    const out: [string, string, Expression][] = [];
    const seen = new Set<string>();
    const visit = (n: unknown, underStatic: boolean): void => {
        if (!n || typeof n !== 'object') return;
        const o = n as Record<string, unknown>;
        if (o.$type === 'DecoratedCall') { visit(o.call, o.decorator === '@static'); return; }
        if (o.$type === 'MemberExpr' && o.call && !underStatic) {
            const recv = o.receiver as { $type?: string; ref?: { $refText?: string } };
            const lib = recv.$type === 'VarRef' ? recv.ref?.$refText : undefined;
            if (lib && model.uses.includes(lib) && typeof o.member === 'string' && !seen.has(`${lib}.${o.member}`)) {
                seen.add(`${lib}.${o.member}`);
                out.push([lib, o.member, o as unknown as Expression]);
            }
        }
        for (const [k, v] of Object.entries(o)) {
            if (k.startsWith('$')) continue;
            // Arguments of an @static call are themselves static only if marked; a plain call inside is run-time.
            const inner = o.$type === 'MemberExpr' && k === 'args' ? false : underStatic;
            if (Array.isArray(v)) v.forEach(x => visit(x, inner));
            else if (v && typeof v === 'object' && '$type' in (v as object)) visit(v, inner);
        }
    };
    for (const g of model.globals) visit(g, false);
    for (const s of model.topStatements) visit(s, false);
    for (const f of model.functions) visit(f, false);
    for (const p of model.probes) visit(p.ast, false);
    return out;
}

/** Names whose value depends on the match site (bound variables); anything else is a script name. */
const SITE_NAMES = new Set(['fid', 'fname', 'pc', 'opidx', 'at_func_end', 'opname', 'bytecode', 'category_id', 'category_name',
    'instr_count', 'offset', 'align', 'data_size', 'is_write', 'memory', 'addr', 'effective_addr', 'num_targets',
    'default_target', 'targets', 'target', 'target_fn_name', 'target_imp_module', 'target_fn_type', 'probe_id',
    'table_entry_idx', 'target_funcref', 'resolved_fid', 'failed', 'tid', 'field_idx']);
function isSiteDependentName(n: string): boolean {
    return SITE_NAMES.has(n) || /^(arg|res|imm|local)\d+$/.test(n);
}
