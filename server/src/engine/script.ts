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
    /** The probe calls `@static lib.fn()`: evaluated per site, never cached. */
    hasStaticCalls: boolean;
    /** Nothing in the probe depends on the site: one compiled body serves every site. */
    siteIndependent: boolean;
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
                const hasStaticCalls = containsStaticCall(item);
                const siteIndependent = !hasStaticCalls && siteVars.length === 0 && bounds.size === 0 && ![...uses].some(isSiteDependentName);
                model.probes.push({ index: model.probes.length, ast: item, rule, provider, pkg, event, mode, bounds, siteVars, uses, hasStaticCalls, siteIndependent });
                break;
            }
            default: model.topStatements.push(item as Statement);
        }
    }
    return model;
}

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
export function mapShape(t: TypeRef): { keys: WType[]; value: WType; typeText: string } | undefined {
    if (t.$type !== 'MapType') return undefined;
    const keys: WType[] = [];
    const flat = (k: TypeRef) => { if (k.$type === 'TupleType') k.elems.forEach(flat); else keys.push(typeText(k) as WType); };
    flat(t.key);
    return { keys, value: typeText(t.value) as WType, typeText: typeText(t) };
}

/** (library, function) pairs called at run time (`lib.fn()` not under `@static`), in script order. */
export function libraryCalls(model: ScriptModel): [string, string][] {
    const out: [string, string][] = [];
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
                out.push([lib, o.member]);
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
