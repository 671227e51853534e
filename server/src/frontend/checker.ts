// The type checker and name resolver shared by the language server and the engine. One pass over the AST:
// scopes are lexical (script globals, functions and `use`d libraries are visible everywhere; block locals
// from their declaration on), bound variables come from the probe's matched events, and every expression
// gets a type. Integer and float literals take the type their context expects (`var x: u8 = 1`,
// `fid == 3`), falling back to i32 / f64.
//
// The checker is built in layers: check-base.ts (state, reporting) -> check-names.ts (names, bound variables,
// calls, members) -> check-expr.ts (expressions) -> this file (declarations, the reference's rules, probes,
// functions, statements). check-support.ts holds the result types and shared helpers.
import type { AstNode } from 'langium';
import { GrammarUtils } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { parseRule, type TypeBound } from '../language/rule-parser.js';
import { BUILTIN_CONSTS, BUILTIN_FNS } from './builtins.js';
import { matchRule } from './rule-match.js';
import type { FnSymbol, ScriptSymbol, VarSymbol } from './symbols.js';
import { isNumeric, prim, T, typeEquals, typeOfRef, typeToString, type Type } from './types.js';
import { type CheckDiagnostic, type CheckOptions, type CheckResult, type ProbeInfo, Scope, FAMILY, containsMap, describeKind } from './check-support.js';
import { ExprChecker } from './check-expr.js';

export type { CheckDiagnostic, CheckOptions, CheckResult, LibraryCall, ProbeInfo, Severity } from './check-support.js';
export { parseIntLit } from './check-support.js';


/**
 * The result standing in for a checker failure (a bug): one error, so nothing is compiled from a script the
 * checker could not vouch for, and the editor's other features keep working.
 */
export function failedCheck(e: unknown): CheckResult {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const message = `internal error: the checker could not check this script (${why.split('\n')[0]})`;
    return {
        diagnostics: [{ severity: 'error', message, start: 0, end: 0, code: 'checker-failed' }], probes: [], globals: [],
        typeOf: () => undefined, symbolOf: () => undefined, declared: () => undefined, probeInfo: () => undefined,
        libraryCalls: [], calledFunctions: new Set(), stringMethods: new Set(), referencesOf: () => [],
    };
}

export function checkScript(script: ast.Script, options: CheckOptions = {}): CheckResult {
    return new Checker(options).run(script);
}

/**
 * "A script must contain at least one probe". After a syntax error (or an item the parse guard left out)
 * the probe may be the part that was lost: "no probe" would then only repeat the real error in a
 * misleading way.
 */
export function noProbeDiagnostic(script: ast.Script): CheckDiagnostic | undefined {
    const items = script.items ?? [];
    const parse = script.$document?.parseResult;
    const syntaxErrors = (parse?.parserErrors.length ?? 0) + (parse?.lexerErrors.length ?? 0);
    if (syntaxErrors > 0 || items.some(i => i.$type === 'Probe')) return undefined;
    const first = items[0]?.$cstNode;
    return { severity: 'error', message: 'A script must contain at least one probe, e.g. `wasm:opcode:*:before { ... }`',
        start: first?.offset ?? 0, end: first?.end ?? 0, code: 'no-probe', unnecessary: undefined };
}


/** Events that run once, not at a match site. */
const BEGIN_END = new Set(['wasm:begin', 'wasm:end', 'wasm:report']);

function containsFuncref(t: Type): boolean {
    if (t.kind === 'funcref') return true;
    if (t.kind === 'tuple') return t.elems.some(containsFuncref);
    if (t.kind === 'map') return containsFuncref(t.key) || containsFuncref(t.value);
    return false;
}

export class Checker extends ExprChecker {

    run(script: ast.Script): CheckResult {
        const root = new Scope(undefined);
        // Script-level names are visible everywhere, whatever their position.
        const items = script.items ?? [];
        this.declareItems(items, root);
        for (const item of items) if (item.$type !== 'FnDef') this.checkItem(item, root);
        for (const item of items) if (item.$type === 'FnDef') this.checkItem(item, root);
        const noProbe = noProbeDiagnostic(script);
        if (noProbe) this.diagnostics.push(noProbe);
        this.reportUnused();
        return this.result(this.diagnostics.sort((a, b) => a.start - b.start || a.end - b.end));
    }

    /** Declares the script-level names (`use`d libraries, functions, globals) in `root`. */
    declareItems(items: readonly ast.TopItem[], root: Scope): void {
        for (const item of items) {
            if (item.$type === 'Use') this.declare(root, item, { kind: 'library', name: item.name, decl: item });
            else if (item.$type === 'FnDef') this.declareFn(root, item);
            else if (item.$type === 'VarDecl') this.declareVar(root, item, undefined);
        }
    }

    /**
     * Checks one top-level item against the script-level names of `root`: a probe, a global's initial value,
     * a top-level statement or a function body. Items are independent of each other except through `root`.
     */
    checkItem(item: ast.TopItem, root: Scope): void {
        switch (item.$type) {
            case 'Use': break;
            case 'FnDef': this.checkFn(item, root); break;
            case 'Probe': this.checkProbe(item, root); break;
            case 'VarDecl': this.checkVarInit(item, root); break;
            default:
                this.checkTopStatement(item as ast.Statement);
                this.checkStatement(item as ast.Statement, root);
        }
    }

    /** The check's result over this checker's state, with `diagnostics` as given. */
    result(diagnostics: CheckDiagnostic[]): CheckResult {
        return {
            diagnostics,
            probes: [...this.probeInfos.values()],
            typeOf: n => this.types.get(n),
            symbolOf: n => this.symbols.get(n),
            declared: n => this.decls.get(n),
            probeInfo: p => this.probeInfos.get(p),
            globals: this.globals,
            libraryCalls: this.libraryCalls,
            calledFunctions: this.calledFunctions,
            stringMethods: this.stringMethods,
            referencesOf: sym => this.refs.get(sym) ?? [],
        };
    }

    // ---- declarations ----

    /** Declares `sym` in `scope`; returns the symbol that stands for it (see `scriptSymbol`). */
    protected declare<S extends ScriptSymbol>(scope: Scope, node: ast.NamedElement, declared: S): S {
        const sym = scope.parent ? declared : this.scriptSymbol(declared, scope);
        const previous = scope.names.get(sym.name);
        if (previous) {
            const prev = (previous as { decl?: AstNode }).decl;
            const line = prev?.$cstNode ? ` (first declared on line ${prev.$cstNode.range.start.line + 1})` : '';
            this.reportProp('error', `Duplicate declaration of \`${sym.name}\`${line}`, node, 'name', 'duplicate');
        } else {
            scope.names.set(sym.name, sym);
        }
        if (!scope.parent) this.globals.push(sym);
        this.decls.set(node, sym);
        return sym;
    }

    /** The symbol a script-level declaration gets (an incremental check keeps earlier, equal ones). */
    protected scriptSymbol<S extends ScriptSymbol>(sym: S, _root: Scope): S {
        return sym;
    }

    /** Script functions and variables cannot take the name of a built-in function or constant. */
    protected checkNotBuiltin(node: ast.NamedElement, what: string): void {
        const name = node.name;
        const builtin = BUILTIN_FNS.has(name) || BUILTIN_CONSTS.has(name) || this.catalogFnNames.has(name);
        if (builtin) this.reportProp('error', `\`${name}\` is the name of a built-in; give the ${what} another name, e.g. \`my_${name}\``, node, 'name', 'builtin-name');
    }

    /** Maps hold scalars and tuples of scalars: no map inside a tuple, as a map key or as a map value. */
    protected checkTypeShape(ref: ast.TypeRef | undefined): void {
        if (!ref) return;
        if (ref.$type === 'TupleType') {
            for (const e of ref.elems) {
                if (e.$type === 'MapType') this.reportNode('error', 'A tuple cannot hold a map; declare the map as a variable of its own', e, 'map-in-tuple');
                else this.checkTypeShape(e);
            }
        } else if (ref.$type === 'MapType') {
            for (const [part, what] of [[ref.key, 'key'], [ref.value, 'value']] as const) {
                if (containsMap(part)) {
                    this.reportNode('error', `A map ${what} cannot be a map; use a tuple key instead, e.g. \`map<(u32, u32), u64>\``, part!, 'map-in-map');
                }
            }
        }
    }

    /** Top level: declarations, calls (built-in, library, `@static`, `@init`) and assignments; nothing else. */
    protected checkTopStatement(stmt: ast.Statement): void {
        let what: string | undefined;
        switch (stmt.$type) {
            case 'IfStmt': what = 'An `if`'; break;
            case 'Block': what = 'A block'; break;
            case 'ReturnStmt': what = '`return`'; break;
            case 'IncDec': what = `\`${stmt.op}\``; break;
            case 'ExprStmt': {
                const e = stmt.expr;
                const isCall = e?.$type === 'CallExpr' || e?.$type === 'DecoratedCall' || (e?.$type === 'MemberExpr' && e.call);
                if (!isCall) what = 'An expression';
                break;
            }
        }
        if (what) {
            this.reportNode('error', `${what} cannot stand at the top level of a script; move it into a probe (e.g. \`wasm:begin { ... }\`) or a function`, stmt, 'top-level-statement');
        }
    }

    protected declareFn(scope: Scope, fn: ast.FnDef): void {
        this.checkNotBuiltin(fn, 'function');
        for (const p of fn.params) {
            this.checkTypeShape(p.type);
            if (p.type?.$type === 'TupleType') this.reportNode('error', 'A function parameter cannot be a tuple; pass its elements as separate parameters', p.type, 'fn-signature');
            if (p.type?.$type === 'MapType') this.reportNode('error', 'A function parameter cannot be a map; a function reads a script map by its name', p.type, 'fn-signature');
        }
        this.checkTypeShape(fn.returnType);
        if (fn.returnType?.$type === 'TupleType' || fn.returnType?.$type === 'MapType') {
            this.reportNode('error', `A function returns one value (a number, bool or str), not a ${fn.returnType.$type === 'MapType' ? 'map' : 'tuple'}; store the results in script variables instead`, fn.returnType, 'fn-signature');
        }
        const sym: FnSymbol = {
            kind: 'function', name: fn.name, decl: fn,
            params: fn.params.map(p => typeOfRef(p.type)), result: fn.returnType ? typeOfRef(fn.returnType) : T.unit,
        };
        this.declare(scope, fn, sym);
    }

    protected declareVar(scope: Scope, decl: ast.VarDecl, owner: ast.Probe | ast.FnDef | undefined): VarSymbol {
        const type = typeOfRef(decl.type);
        this.checkNotBuiltin(decl, 'variable');
        this.checkTypeShape(decl.type);
        const inProbe = owner?.$type === 'Probe';
        let kind: VarSymbol['kind'] = owner ? 'local' : 'global';
        if (decl.report) kind = 'report';
        else if (decl.unshared) kind = 'unshared';
        if (decl.unshared && !inProbe) {
            this.reportKeyword('error', '`unshared` variables exist only inside probe bodies (one instance per match site)',
                decl, 'unshared', 'unshared-outside-probe');
        }
        if (decl.report && owner?.$type === 'FnDef') {
            this.reportKeyword('error', '`report` variables cannot be declared inside functions', decl, 'report', 'report-in-fn');
        }
        const sym: VarSymbol = { kind, name: decl.name, type, decl, perSite: inProbe && (decl.report || decl.unshared), owner };
        if (containsFuncref(type)) {
            this.reportProp('error', `Variables cannot hold a \`funcref\`; use the value where it is needed, e.g. \`resolve_funcref(target_funcref, table_entry_idx)\``, decl, 'type', 'funcref-var');
        }
        if (type.kind === 'map' && kind === 'local') {
            this.reportProp('error', inProbe
                ? 'A map in a probe body is one map per match site: declare it `report var` or `unshared var`, or declare it at the top level'
                : 'Maps are script variables: declare the map at the top level and use it here by its name', decl, 'type', 'local-map');
        }
        const beginEnd = this.probe?.info.matches.find(m => BEGIN_END.has(m.event.rule));
        if (sym.perSite && beginEnd) {
            this.reportKeyword('error', `\`${decl.report ? 'report' : 'unshared'}\` variables live once per match site, and \`${beginEnd.event.rule}\` has none; declare \`${decl.name}\` at the top level of the script`,
                decl, decl.report ? 'report' : 'unshared', 'site-var-without-site');
        }
        if (sym.perSite) this.probeInfos.get(owner as ast.Probe)?.siteVars.push(decl);
        const declared = this.declare(scope, decl, sym);
        this.uses.set(declared, 0);
        return declared;
    }

    protected checkVarInit(decl: ast.VarDecl, scope: Scope): void {
        const sym = this.decls.get(decl) as VarSymbol | undefined;
        if (!decl.init || !sym) return;
        const owner = sym.owner;
        if (!owner) this.globalInit = decl;
        else if (sym.perSite && owner.$type === 'Probe') this.siteInit = { decl, probe: owner };
        let t: Type;
        try {
            t = this.expr(decl.init, scope, sym.type);
        } finally {
            this.globalInit = undefined;
            this.siteInit = undefined;
        }
        this.expectAssignable(t, sym.type, decl.init, `Cannot initialise \`${decl.name}: ${typeToString(sym.type)}\` with a value of type`);
    }

    // ---- probes and functions ----

    protected checkProbe(probe: ast.Probe, root: Scope): void {
        const rule = parseRule(probe.rule ?? '');
        const ruleNode = probe.$cstNode ? GrammarUtils.findNodeForProperty(probe.$cstNode, 'rule') : undefined;
        const ruleOffset = ruleNode?.offset ?? probe.$cstNode?.offset ?? 0;
        const { matches, issues } = matchRule(rule, this.catalog);
        for (const i of issues) this.report(i.severity, i.message, ruleOffset + i.start, ruleOffset + i.end, i.code);
        const bounds = new Map<string, TypeBound>();
        rule.parts.forEach((part, index) => {
            for (const b of part.bounds) this.checkBound(b, index === 0, bounds, ruleOffset);
        });
        const modes = [...new Set(matches.map(m => m.mode))];
        // The rule's offset is read from its syntax node, which an incremental parse moves with the probe.
        const info: ProbeInfo = {
            probe, rule, get ruleOffset() { return ruleNode?.offset ?? probe.$cstNode?.offset ?? 0; }, matches, modes, bounds, boundVars: new Map(),
            uses: new Set(), writes: new Set(), siteVars: [], hasStaticCalls: false,
        };
        this.probeInfos.set(probe, info);
        const isAlt = modes.length > 0 && modes.every(m => m === 'alt' || m === 'block_alt');
        this.probe = { info, isAlt, isAfterOnly: modes.length > 0 && modes.every(m => m === 'after') };
        const scope = new Scope(root);
        if (probe.predicate) {
            const t = this.expr(probe.predicate, scope, T.bool);
            if (t.kind !== 'bool' && t.kind !== 'unknown') {
                this.reportNode('error', `The predicate must be a bool, not ${typeToString(t)}${isNumeric(t) ? ' (compare it, e.g. `x != 0`, or cast with `as bool`)' : ''}`,
                    probe.predicate, 'predicate-type');
            }
        }
        if (probe.body) this.block(probe.body, scope, probe);
        this.probe = undefined;
    }

    protected checkBound(b: TypeBound, onProvider: boolean, bounds: Map<string, TypeBound>, ruleOffset: number): void {
        const m = FAMILY.exec(b.name);
        const ok = m && (onProvider ? m[1] === 'local' : m[1] === 'arg' || m[1] === 'res' || m[1] === 'local');
        if (!ok) {
            this.report('error', onProvider
                ? `Type bounds on the provider bind locals: expected \`localN\`, found \`${b.name}\``
                : `Type bounds bind operands, results or locals: expected \`argN\`, \`resN\` or \`localN\`, found \`${b.name}\``,
                ruleOffset + b.nameSpan.start, ruleOffset + b.nameSpan.end, 'bad-bound');
        }
        const t = prim(b.type);
        if (!t || t.kind === 'str') {
            this.report('error', `Unknown type \`${b.type}\` in a type bound; use a numeric type (i32, u64, f32, ...)`,
                ruleOffset + b.typeSpan.start, ruleOffset + b.typeSpan.end, 'bad-bound-type');
        }
        if (bounds.has(b.name)) {
            this.report('error', `\`${b.name}\` is bound twice`, ruleOffset + b.nameSpan.start, ruleOffset + b.nameSpan.end, 'duplicate-bound');
        } else if (ok) bounds.set(b.name, b);
    }

    protected checkFn(fn: ast.FnDef, root: Scope): void {
        const sym = this.decls.get(fn) as FnSymbol | undefined;
        const scope = new Scope(root);
        for (const p of fn.params) {
            const ps: VarSymbol = { kind: 'param', name: p.name, type: typeOfRef(p.type), decl: p, perSite: false, owner: fn };
            this.declare(scope, p, ps);
        }
        this.fn = sym;
        if (fn.body) {
            const returns = this.block(fn.body, scope, fn);
            // An unknown return type was reported where it is written.
            if (sym && sym.result.kind !== 'unit' && sym.result.kind !== 'unknown' && !returns) {
                this.reportProp('error', `\`${fn.name}\` must return a value of type ${typeToString(sym.result)} on every path`, fn, 'name', 'missing-return');
            }
        }
        this.fn = undefined;
    }

    // ---- statements ----

    /** Checks a block; returns true when it always ends in `return`. */
    protected block(block: ast.Block | undefined, parent: Scope, owner: ast.Probe | ast.FnDef | undefined): boolean {
        // Error recovery can leave a mandatory block out of the AST (`if (x)` with no body yet).
        if (!block?.stmts) return false;
        const scope = new Scope(parent);
        let returned = false;
        let reportedDead = false;
        for (const stmt of block.stmts) {
            if (returned && !reportedDead && stmt.$cstNode) {
                reportedDead = true;
                const last = block.stmts[block.stmts.length - 1].$cstNode!;
                this.report('warning', 'Unreachable code after `return`', stmt.$cstNode.offset, last.end, 'unreachable', true);
            }
            if (this.checkStatement(stmt, scope, owner)) returned = true;
        }
        return returned;
    }

    protected checkStatement(stmt: ast.Statement, scope: Scope, owner?: ast.Probe | ast.FnDef): boolean {
        switch (stmt.$type) {
            case 'VarDecl': {
                if (scope.parent) this.declareVar(scope, stmt, owner ?? this.probe?.info.probe ?? this.fn?.decl);
                this.checkVarInit(stmt, scope);
                return false;
            }
            case 'Block': return this.block(stmt, scope, owner);
            case 'IfStmt': return this.ifStmt(stmt, scope, owner);
            case 'ReturnStmt': this.returnStmt(stmt, scope); return true;
            case 'Assignment': {
                const target = this.lvalue(stmt.target, scope, 'assign to');
                const t = this.expr(stmt.value, scope, target);
                this.expectAssignable(t, target, stmt.value, `Cannot assign to a ${typeToString(target)} a value of type`);
                return false;
            }
            case 'IncDec': {
                const t = this.lvalue(stmt.target, scope, stmt.op === '++' ? 'increment' : 'decrement');
                if (!isNumeric(t) && t.kind !== 'unknown') {
                    this.reportNode('error', `\`${stmt.op}\` needs a numeric variable, not ${typeToString(t)}`, stmt.target, 'incdec-type');
                }
                return false;
            }
            case 'ExprStmt': {
                const e = stmt.expr;
                this.expr(e, scope, undefined);
                const isCall = e.$type === 'CallExpr' || e.$type === 'DecoratedCall' || (e.$type === 'MemberExpr' && e.call);
                if (!isCall && e) this.reportNode('warning', 'This expression has no effect', e, 'no-effect', true);
                return false;
            }
        }
        return false;
    }

    protected ifStmt(stmt: ast.IfStmt, scope: Scope, owner?: ast.Probe | ast.FnDef): boolean {
        this.condition(stmt.cond, scope, '`if` condition');
        let all = this.block(stmt.then, scope, owner);
        for (const elif of stmt.elifs ?? []) {
            this.condition(elif.cond, scope, '`elif` condition');
            all = this.block(elif.body, scope, owner) && all;
        }
        if (stmt.elseIf) return this.ifStmt(stmt.elseIf, scope, owner) && all;
        if (stmt.else) return this.block(stmt.else, scope, owner) && all;
        return false;
    }

    protected returnStmt(stmt: ast.ReturnStmt, scope: Scope): void {
        if (this.fn) {
            const want = this.fn.result;
            if (!stmt.value) {
                if (want.kind !== 'unit') this.reportNode('error', `\`${this.fn.name}\` must return a value of type ${typeToString(want)}`, stmt, 'return-type');
                return;
            }
            const t = this.expr(stmt.value, scope, want);
            if (want.kind === 'unit') {
                this.reportNode('error', `\`${this.fn.name}\` returns nothing; declare a return type (\`-> ${typeToString(t)}\`) or drop the value`, stmt.value, 'return-type');
            } else this.expectAssignable(t, want, stmt.value, `\`${this.fn.name}\` returns ${typeToString(want)}, not`);
            return;
        }
        if (this.probe && stmt.value) {
            const want = this.altResultType();
            const t = this.expr(stmt.value, scope, want);
            if (!this.probe.isAlt) {
                this.reportNode('error', '`return` with a value is only allowed in `alt` probes (it supplies the replaced instruction\'s result)', stmt, 'return-outside-alt');
            } else this.expectAssignable(t, want, stmt.value, 'The replaced instruction produces');
        }
    }

    /** The result type an `alt` body's `return` supplies: the instruction's `res0`, when all matches agree. */
    protected altResultType(): Type {
        const info = this.probe!.info;
        const bound = info.bounds.get('res0');
        if (bound) return prim(bound.type) ?? T.unknown;
        let type: Type | undefined;
        for (const m of info.matches) {
            const def = m.event.vars.find(v => v.name === 'res0' && !v.indexed);
            if (!def) return T.unknown;
            if (type && !typeEquals(type, def.type)) return T.unknown;
            type = def.type;
        }
        return type ?? T.unknown;
    }

    /** Checks an assignment target and returns its type. */
    protected lvalue(target: ast.Expression, scope: Scope, verb: string): Type {
        if (target.$type === 'VarRef') {
            const t = this.expr(target, scope, undefined, true);
            const sym = this.symbols.get(target);
            if (!sym) return t;
            if (sym.kind === 'bound') {
                this.probe?.info.writes.add(sym.name);
                if (sym.isStatic) this.reportNode('error', `Cannot ${verb} \`${sym.name}\`: it is a static value known at instrumentation time`, target, 'assign-static');
                return t;
            }
            if (sym.kind === 'global' || sym.kind === 'report' || sym.kind === 'unshared' || sym.kind === 'local' || sym.kind === 'param') return t;
            this.reportNode('error', `Cannot ${verb} \`${sym.name}\`: it is ${describeKind(sym)}`, target, 'not-assignable');
            return T.unknown;
        }
        if (target.$type === 'IndexExpr') return this.expr(target, scope, undefined);
        if (target.$type === 'MemberExpr' && !target.call && (target.tupleIndex !== undefined || target.tuplePath !== undefined)) {
            return this.expr(target, scope, undefined);
        }
        this.expr(target, scope, undefined);
        this.reportNode('error', `Cannot ${verb} this expression: expected a variable, a map entry \`m[k]\` or a tuple field \`t.0\``, target, 'not-assignable');
        return T.unknown;
    }
}
