// The type checker and name resolver shared by the language server and the engine. One pass over the AST:
// scopes are lexical (script globals, functions and `use`d libraries are visible everywhere; block locals
// from their declaration on), bound variables come from the probe's matched events, and every expression
// gets a type. Integer and float literals take the type their context expects (`var x: u8 = 1`,
// `fid == 3`), falling back to i32 / f64.
import type { AstNode } from 'langium';
import { GrammarUtils } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { parseRule, type ParsedRule, type TypeBound } from '../language/rule-parser.js';
import { BUILTIN_CONSTS, BUILTIN_FNS, STRING_METHODS, type BuiltinFn } from './builtins.js';
import { coreLibrarySignatures } from './core-library.js';
import { catalogView, type BoundVarDef, type CatalogView } from './catalog-view.js';
import { matchRule, type EventMatch } from './rule-match.js';
import type {
    BoundSymbol, FnSymbol, LibFnSymbol, LibSymbol, ScriptSymbol, UserLibs, VarSymbol,
} from './symbols.js';
import {
    assignable, castable, intBits, isFloat, isInt, isNumeric, prim, T, typeEquals, typeOfRef, typeToString, type Type,
} from './types.js';

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
}

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
}

const FAMILY = /^(arg|res|imm|local)(\d+)$/;

class Scope {
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

interface ProbeCtx { info: ProbeInfo; isAlt: boolean; isAfterOnly: boolean }

export function checkScript(script: ast.Script, options: CheckOptions = {}): CheckResult {
    return new Checker(options).run(script);
}

class Checker {
    private readonly catalog: CatalogView;
    private readonly diagnostics: CheckDiagnostic[] = [];
    private readonly types = new Map<AstNode, Type>();
    private readonly symbols = new Map<AstNode, ScriptSymbol>();
    private readonly decls = new Map<AstNode, ScriptSymbol>();
    private readonly probeInfos = new Map<ast.Probe, ProbeInfo>();
    private readonly uses = new Map<VarSymbol, number>();
    private readonly globals: ScriptSymbol[] = [];
    private probe: ProbeCtx | undefined;
    private fn: FnSymbol | undefined;
    private readonly catalogVarNames: Set<string>;

    constructor(private readonly options: CheckOptions) {
        this.catalog = options.catalog ?? catalogView();
        this.catalogVarNames = catalogNames(this.catalog);
    }

    run(script: ast.Script): CheckResult {
        const root = new Scope(undefined);
        // Script-level names are visible everywhere, whatever their position.
        const items = script.items ?? [];
        for (const item of items) {
            if (item.$type === 'Use') this.declare(root, item, { kind: 'library', name: item.name, decl: item });
            else if (item.$type === 'FnDef') this.declareFn(root, item);
            else if (item.$type === 'VarDecl') this.declareVar(root, item, undefined);
        }
        let probes = 0;
        for (const item of items) {
            switch (item.$type) {
                case 'Use': case 'FnDef': break;
                case 'Probe': probes++; this.checkProbe(item, root); break;
                case 'VarDecl': this.checkVarInit(item, root); break;
                default: this.checkStatement(item as ast.Statement, root);
            }
        }
        for (const item of items) if (item.$type === 'FnDef') this.checkFn(item, root);
        if (probes === 0 && items.length > 0) {
            const first = items[0].$cstNode;
            if (first) this.report('error', 'A script must contain at least one probe, e.g. `wasm:opcode:*:before { ... }`',
                first.offset, first.end, 'no-probe');
        }
        this.reportUnused();
        const diagnostics = this.diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
        return {
            diagnostics,
            probes: [...this.probeInfos.values()],
            typeOf: n => this.types.get(n),
            symbolOf: n => this.symbols.get(n),
            declared: n => this.decls.get(n),
            probeInfo: p => this.probeInfos.get(p),
            globals: this.globals,
        };
    }

    // ---- declarations ----

    private declare(scope: Scope, node: ast.NamedElement, sym: ScriptSymbol): void {
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
    }

    private declareFn(scope: Scope, fn: ast.FnDef): void {
        const sym: FnSymbol = {
            kind: 'function', name: fn.name, decl: fn,
            params: fn.params.map(p => typeOfRef(p.type)), result: fn.returnType ? typeOfRef(fn.returnType) : T.unit,
        };
        this.declare(scope, fn, sym);
    }

    private declareVar(scope: Scope, decl: ast.VarDecl, owner: ast.Probe | ast.FnDef | undefined): VarSymbol {
        const type = typeOfRef(decl.type);
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
        this.declare(scope, decl, sym);
        this.uses.set(sym, 0);
        return sym;
    }

    private checkVarInit(decl: ast.VarDecl, scope: Scope): void {
        const sym = this.decls.get(decl) as VarSymbol | undefined;
        if (!decl.init || !sym) return;
        const t = this.expr(decl.init, scope, sym.type);
        this.expectAssignable(t, sym.type, decl.init, `Cannot initialise \`${decl.name}: ${typeToString(sym.type)}\` with a value of type`);
    }

    // ---- probes and functions ----

    private checkProbe(probe: ast.Probe, root: Scope): void {
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
        const info: ProbeInfo = { probe, rule, ruleOffset, matches, modes, bounds, boundVars: new Map() };
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

    private checkBound(b: TypeBound, onProvider: boolean, bounds: Map<string, TypeBound>, ruleOffset: number): void {
        const m = FAMILY.exec(b.name);
        const ok = m && (onProvider ? m[1] === 'local' : m[1] === 'arg' || m[1] === 'res');
        if (!ok) {
            this.report('error', onProvider
                ? `Type bounds on the provider bind locals: expected \`localN\`, found \`${b.name}\``
                : `Type bounds bind operands or results: expected \`argN\` or \`resN\`, found \`${b.name}\``,
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

    private checkFn(fn: ast.FnDef, root: Scope): void {
        const sym = this.decls.get(fn) as FnSymbol | undefined;
        const scope = new Scope(root);
        for (const p of fn.params) {
            const ps: VarSymbol = { kind: 'param', name: p.name, type: typeOfRef(p.type), decl: p, perSite: false, owner: fn };
            this.declare(scope, p, ps);
        }
        this.fn = sym;
        if (fn.body) {
            const returns = this.block(fn.body, scope, fn);
            if (sym && sym.result.kind !== 'unit' && !returns) {
                this.reportProp('error', `\`${fn.name}\` must return a value of type ${typeToString(sym.result)} on every path`, fn, 'name', 'missing-return');
            }
        }
        this.fn = undefined;
    }

    // ---- statements ----

    /** Checks a block; returns true when it always ends in `return`. */
    private block(block: ast.Block | undefined, parent: Scope, owner: ast.Probe | ast.FnDef | undefined): boolean {
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

    private checkStatement(stmt: ast.Statement, scope: Scope, owner?: ast.Probe | ast.FnDef): boolean {
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

    private ifStmt(stmt: ast.IfStmt, scope: Scope, owner?: ast.Probe | ast.FnDef): boolean {
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

    private condition(e: ast.Expression | undefined, scope: Scope, what: string): void {
        if (!e) return;
        const t = this.expr(e, scope, T.bool);
        if (t.kind !== 'bool' && t.kind !== 'unknown') {
            this.reportNode('error', `The ${what} must be a bool, not ${typeToString(t)}`, e, 'condition-type');
        }
    }

    private returnStmt(stmt: ast.ReturnStmt, scope: Scope): void {
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
    private altResultType(): Type {
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
    private lvalue(target: ast.Expression, scope: Scope, verb: string): Type {
        if (target.$type === 'VarRef') {
            const t = this.expr(target, scope, undefined, true);
            const sym = this.symbols.get(target);
            if (!sym) return t;
            if (sym.kind === 'bound') {
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

    // ---- expressions ----

    private expr(e: ast.Expression | undefined, scope: Scope, expected: Type | undefined, isWrite = false): Type {
        if (!e) return T.unknown;
        const t = this.exprInner(e, scope, expected, isWrite);
        this.types.set(e, t);
        return t;
    }

    private exprInner(e: ast.Expression, scope: Scope, expected: Type | undefined, isWrite: boolean): Type {
        switch (e.$type) {
            case 'IntLit': return this.intLit(e, expected);
            case 'FloatLit':
                if (expected && isInt(expected)) {
                    this.reportNode('error', `A float literal cannot be used as ${typeToString(expected)}; cast it with \`as ${typeToString(expected)}\``, e, 'float-to-int');
                    return expected;
                }
                return expected?.kind === 'f32' ? T.f32 : T.f64;
            case 'BoolLit': return T.bool;
            case 'StrLit': this.checkString(e); return T.str;
            case 'VarRef': return this.varRef(e, scope, isWrite);
            case 'CallExpr': return this.callExpr(e, scope);
            case 'MemberExpr': return this.memberExpr(e, scope);
            case 'IndexExpr': return this.indexExpr(e, scope);
            case 'TupleExpr': {
                const want = expected?.kind === 'tuple' && expected.elems.length === e.elems.length ? expected.elems : undefined;
                return { kind: 'tuple', elems: e.elems.map((el, i) => this.expr(el, scope, want?.[i])) };
            }
            case 'UnaryExpr': return this.unary(e, scope, expected);
            case 'CastExpr': {
                const to = typeOfRef(e.type);
                const from = this.expr(e.expr, scope, isFlexible(e.expr) && isNumeric(to) ? to : undefined);
                if (!castable(from, to)) {
                    this.reportNode('error', `Cannot cast ${typeToString(from)} to ${typeToString(to)}; casts exist between numeric types and bool`, e, 'bad-cast');
                }
                return to;
            }
            case 'BinaryExpr': return this.binary(e, scope, expected);
            case 'TernaryExpr': {
                this.condition(e.cond, scope, 'condition of `?:`');
                let a: Type, b: Type;
                if (isFlexible(e.then) && !isFlexible(e.else)) {
                    b = this.expr(e.else, scope, expected);
                    a = this.expr(e.then, scope, b);
                } else {
                    a = this.expr(e.then, scope, expected);
                    b = this.expr(e.else, scope, isFlexible(e.else) ? a : expected);
                }
                if (!typeEquals(a, b) && !(a.kind === 'unknown' || b.kind === 'unknown')) {
                    this.reportNode('error', `The branches of \`?:\` have different types: ${typeToString(a)} and ${typeToString(b)}`, e, 'ternary-type');
                }
                return a;
            }
            case 'DecoratedCall': {
                const t = this.expr(e.call, scope, expected);
                const call = e.call;
                const isLibCall = call?.$type === 'MemberExpr' && call.call && this.symbols.get(call)?.kind === 'lib-fn';
                if (call && !isLibCall && t.kind !== 'unknown') {
                    this.reportNode('error', `\`${e.decorator}\` applies to library calls (\`lib.fn(...)\`)`, e, 'decorator-target');
                }
                return t;
            }
        }
        return T.unknown;
    }

    private intLit(e: ast.IntLit, expected: Type | undefined): Type {
        if (expected && isNumeric(expected)) {
            if (isInt(expected)) this.checkIntRange(e, expected);
            return expected;
        }
        const v = parseIntLit(e.value);
        if (v === undefined) return T.i32;
        if (v <= 0x7fffffffn) return T.i32;
        if (v <= 0x7fffffffffffffffn) return T.i64;
        return T.u64;
    }

    private checkIntRange(e: ast.IntLit, t: Type): void {
        const v = parseIntLit(e.value);
        if (v === undefined) return;
        const bits = BigInt(intBits(t));
        // Negated literals (`-128` as i8) are checked against the unsigned range of the width: wrap-around
        // of the magnitude is what the engine does anyway; only values that do not fit the width at all
        // are surely mistakes.
        if (v >= (1n << bits)) {
            this.reportNode('warning', `${e.value} does not fit in ${typeToString(t)}; it wraps to ${BigInt.asUintN(Number(bits), v)}`, e, 'int-range');
        }
    }

    private checkString(e: ast.StrLit): void {
        // Escapes are read left to right, so the backslash of `\\` never starts another escape.
        const escapes = /\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|[nrt"'\\0]|(u|x|[\s\S]?))/g;
        let bad: RegExpExecArray | null;
        while ((bad = escapes.exec(e.value)) && bad[1] === undefined) { /* a valid escape */ }
        if (bad && e.$cstNode) {
            const start = e.$cstNode.offset + bad.index;
            this.report('error', `Invalid escape \`${bad[0]}\`; valid escapes: \\n \\r \\t \\" \\' \\\\ \\0 \\xHH \\u{H+}`, start, start + bad[0].length, 'bad-escape');
        }
    }

    private unary(e: ast.UnaryExpr, scope: Scope, expected: Type | undefined): Type {
        const t = this.expr(e.operand, scope, e.op === '!' ? T.bool : expected);
        if (t.kind === 'unknown') return t;
        if (e.op === '!') {
            if (t.kind !== 'bool') this.reportNode('error', `\`!\` needs a bool operand, not ${typeToString(t)}`, e, 'operand-type');
            return T.bool;
        }
        if (e.op === '~' && !isInt(t)) this.reportNode('error', `\`~\` needs an integer operand, not ${typeToString(t)}`, e, 'operand-type');
        if (e.op === '-' && !isNumeric(t)) this.reportNode('error', `Unary \`-\` needs a numeric operand, not ${typeToString(t)}`, e, 'operand-type');
        return t;
    }

    private binary(e: ast.BinaryExpr, scope: Scope, expected: Type | undefined): Type {
        const op = e.operator;
        if (op === '&&' || op === '||') {
            for (const side of [e.left, e.right]) {
                const t = this.expr(side, scope, T.bool);
                if (t.kind !== 'bool' && t.kind !== 'unknown') {
                    this.reportNode('error', `\`${op}\` needs bool operands, not ${typeToString(t)}${isNumeric(t) ? ' (compare it or cast with `as bool`)' : ''}`, side, 'operand-type');
                }
            }
            return T.bool;
        }
        const comparison = op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
        const ctx = comparison ? undefined : expected && isNumeric(expected) ? expected : undefined;
        let l: Type, r: Type;
        if (isFlexible(e.left) && !isFlexible(e.right)) {
            r = this.expr(e.right, scope, ctx);
            l = this.expr(e.left, scope, r);
        } else {
            l = this.expr(e.left, scope, ctx);
            r = this.expr(e.right, scope, isNumeric(l) ? l : ctx);
        }
        if (l.kind === 'unknown' || r.kind === 'unknown') return comparison ? T.bool : l.kind === 'unknown' ? r : l;
        const same = typeEquals(l, r);
        const mismatch = () => this.reportNode('error',
            `The operands of \`${op}\` have different types: ${typeToString(l)} and ${typeToString(r)}${isNumeric(l) && isNumeric(r) ? `; cast one, e.g. \`as ${typeToString(l)}\`` : ''}`,
            e, 'operand-mismatch');
        if (op === '==' || op === '!=') {
            if (!same) mismatch();
            else if (l.kind === 'map' || l.kind === 'funcref') this.reportNode('error', `\`${op}\` cannot compare ${typeToString(l)} values`, e, 'operand-type');
            return T.bool;
        }
        const numericOps = op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || comparison;
        const intOps = op === '<<' || op === '>>';
        const bitOps = op === '&' || op === '|' || op === '^';
        const okType = (t: Type) => numericOps ? isNumeric(t) : intOps ? isInt(t) : bitOps ? isInt(t) || t.kind === 'bool' : false;
        for (const [side, t] of [[e.left, l], [e.right, r]] as const) {
            if (!okType(t)) {
                const need = numericOps ? 'numeric' : intOps ? 'integer' : 'integer or bool';
                this.reportNode('error', `\`${op}\` needs ${need} operands, not ${typeToString(t)}`, side, 'operand-type');
                return comparison ? T.bool : T.unknown;
            }
        }
        if (!same) { mismatch(); return comparison ? T.bool : l; }
        return comparison ? T.bool : l;
    }

    // ---- names ----

    private varRef(e: ast.VarRef, scope: Scope, _isWrite: boolean): Type {
        const name = e.ref?.$refText ?? '';
        const sym = this.resolveName(name, scope, e);
        if (!sym) return T.unknown;
        this.symbols.set(e, sym);
        switch (sym.kind) {
            case 'global': case 'report': case 'unshared': case 'local': case 'param':
                this.uses.set(sym, (this.uses.get(sym) ?? 0) + 1);
                return sym.type;
            case 'bound': case 'builtin': return sym.type;
            case 'library':
                if (!isLibContext(e)) this.reportNode('error', `\`${name}\` is a library, not a value; call its functions with \`${name}.fn(...)\``, e, 'lib-as-value');
                return T.unknown;
            case 'function': case 'bound-fn': case 'builtin-fn':
                this.reportNode('error', `\`${name}\` is a function; call it with \`${name}(...)\``, e, 'fn-as-value');
                return T.unknown;
        }
        return T.unknown;
    }

    /** Resolves a plain name: script scopes, then the probe's bound variables, then built-ins. */
    private resolveName(name: string, scope: Scope, at: AstNode): ScriptSymbol | undefined {
        const local = scope.lookup(name);
        if (local) return local;
        if (this.probe) {
            const bound = this.resolveBound(name, at);
            if (bound !== undefined) return bound || undefined;
        } else if (this.catalogVarNames.has(name) || FAMILY.test(name)) {
            this.reportNode('error', `\`${name}\` is a bound variable: it exists only inside probes`, at, 'bound-outside-probe');
            return undefined;
        }
        const c = BUILTIN_CONSTS.get(name);
        if (c) return { kind: 'builtin', name, type: c.type, def: c };
        const f = BUILTIN_FNS.get(name);
        if (f) return { kind: 'builtin-fn', name, def: f };
        this.reportNode('error', `Unknown name \`${name}\``, at, 'unknown-name');
        return undefined;
    }

    /**
     * A bound variable of the current probe. Returns undefined when the name is no bound variable at all,
     * false when it is one but not available here (a diagnostic was reported).
     */
    private resolveBound(name: string, at: AstNode): BoundSymbol | false | undefined {
        const info = this.probe!.info;
        const cached = info.boundVars.get(name);
        if (cached) return cached;
        const fam = FAMILY.exec(name);
        const bound = info.bounds.get(name);
        const provider = findVar(this.catalog.providerVars, name);
        const defs: BoundVarDef[] = [];
        let modeOnly: readonly string[] | undefined;
        if (!provider) {
            for (const m of info.matches) {
                const def = findVar(m.event.vars, name);
                if (!def) continue;
                if (def.modes && !def.modes.includes(m.mode)) { modeOnly = def.modes; continue; }
                defs.push(def);
            }
        }
        const known = !!provider || defs.length > 0 || !!bound;
        if (!known) {
            if (!this.catalogVarNames.has(name) && !fam) return undefined;
            if (info.matches.length === 0) return false; // the rule itself is broken; already reported
            const rule = describeMatches(info.matches);
            if (modeOnly) {
                const why = fam?.[1] === 'res' ? ': results exist once the instruction has run' : '';
                this.reportNode('error', `\`${name}\` is only available in ${modeOnly.map(m => `\`${m}\``).join(', ')} probes${why}`, at, 'bound-unavailable');
            } else {
                const family = fam ? available(info.matches, fam[1]) : [];
                const hint = fam ? (family.length > 0 ? `; it provides ${family.join(', ')}` : `; it has no ${familyWord(fam[1])}`) : '';
                this.reportNode('error', `\`${name}\` is not available for ${rule}${hint}`, at, 'bound-unavailable');
            }
            return false;
        }
        let type: Type | undefined = bound ? prim(bound.type) ?? T.unknown : undefined;
        const all = provider ? [provider] : defs;
        if (!type) {
            for (const d of all) {
                if (!type) type = d.type;
                else if (!typeEquals(type, d.type)) { type = T.unknown; break; }
            }
            type ??= T.unknown;
            if (type.kind === 'unknown' && fam) {
                const example = fam[1] === 'local' ? `wasm(${name}: i32):...` : `${info.rule.parts[2]?.glob || 'event'}(${name}: i32)`;
                this.reportNode('error', `The type of \`${name}\` is not known for ${describeMatches(info.matches)}; give it a type bound, e.g. \`${example}\``, at, 'bound-untyped');
            }
        }
        const sym: BoundSymbol = {
            kind: 'bound', name, type, defs: all,
            isStatic: all.length > 0 && all.every(d => d.isStatic) && !bound, typeBound: bound,
        };
        info.boundVars.set(name, sym);
        return sym;
    }

    private callExpr(e: ast.CallExpr, scope: Scope): Type {
        const name = e.callee?.$refText ?? '';
        const local = scope.lookup(name);
        if (local) {
            this.symbols.set(e, local);
            if (local.kind === 'function') {
                this.checkArgs(e.args, local.params.map((t, i) => ({ name: local.decl.params[i]?.name ?? `p${i}`, type: t })), scope, name, e);
                return local.result;
            }
            this.reportNode('error', `\`${name}\` is ${describeKind(local)}, not a function`, e, 'not-callable');
            for (const a of e.args) this.expr(a, scope, undefined);
            return T.unknown;
        }
        if (this.probe) {
            for (const m of this.probe.info.matches) {
                const def = m.event.fns.find(f => f.name === name);
                if (!def) continue;
                this.symbols.set(e, { kind: 'bound-fn', name, def });
                if ((name === 'alt_call_by_id' || name === 'alt_call_by_name' || name === 'drop_args') && !this.probe.isAlt) {
                    this.reportNode('error', `\`${name}\` can only be used in \`alt\` probes`, e, 'alt-only');
                }
                this.checkArgs(e.args, def.params, scope, name, e);
                return def.result;
            }
        }
        const f = BUILTIN_FNS.get(name);
        if (f) {
            this.symbols.set(e, { kind: 'builtin-fn', name, def: f });
            return this.builtinCall(f, e, scope);
        }
        if (this.catalog.events.some(ev => ev.fns.some(fn => fn.name === name))) {
            this.reportNode('error', `\`${name}\` is not available for ${this.probe ? describeMatches(this.probe.info.matches) : 'code outside probes'}`, e, 'bound-unavailable');
        } else {
            this.reportNode('error', `Unknown function \`${name}\``, e, 'unknown-function');
        }
        for (const a of e.args) this.expr(a, scope, undefined);
        return T.unknown;
    }

    private builtinCall(f: BuiltinFn, e: ast.CallExpr, scope: Scope): Type {
        if (f.libArg !== undefined || f.addrLenArg !== undefined) {
            if (e.args.length !== f.params.length) {
                this.reportNode('error', `\`${f.name}\` takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'}, got ${e.args.length}`, e, 'arg-count');
            }
            e.args.forEach((a, i) => {
                if (i === f.libArg) {
                    const sym = a.$type === 'VarRef' ? scope.lookup(a.ref?.$refText ?? '') : undefined;
                    if (a.$type === 'VarRef' && sym?.kind === 'library') {
                        this.symbols.set(a, sym);
                        this.types.set(a, T.unknown);
                    } else {
                        this.expr(a, scope, undefined);
                        this.reportNode('error', `\`${f.name}\` expects a library name declared with \`use\``, a, 'expected-lib');
                    }
                } else if (i === f.addrLenArg) {
                    const t = this.expr(a, scope, { kind: 'tuple', elems: [T.u32, T.u32] });
                    if (t.kind !== 'unknown' && !(t.kind === 'tuple' && t.elems.length === 2 && t.elems.every(isInt))) {
                        this.reportNode('error', `\`${f.name}\` expects an \`(addr, len)\` tuple of integers, not ${typeToString(t)}`, a, 'arg-type');
                    }
                } else if (f.params[i]) {
                    const t = this.expr(a, scope, f.params[i].type);
                    this.expectAssignable(t, f.params[i].type, a, `Argument \`${f.params[i].name}\` of \`${f.name}\` is ${typeToString(f.params[i].type)}, not`);
                } else this.expr(a, scope, undefined);
            });
            return f.result;
        }
        this.checkArgs(e.args, f.params, scope, f.name, e);
        return f.result;
    }

    private checkArgs(args: ast.Expression[], params: readonly { name: string; type: Type }[], scope: Scope, name: string, at: AstNode): void {
        if (args.length !== params.length) {
            this.reportNode('error', `\`${name}\` takes ${params.length} argument${params.length === 1 ? '' : 's'}, got ${args.length}`, at, 'arg-count');
        }
        args.forEach((a, i) => {
            const p = params[i];
            const t = this.expr(a, scope, p?.type);
            if (p) this.expectAssignable(t, p.type, a, `Argument \`${p.name}\` of \`${name}\` is ${typeToString(p.type)}, not`);
        });
    }

    private memberExpr(e: ast.MemberExpr, scope: Scope): Type {
        const recv = e.receiver;
        // `lib.fn(...)`
        if (recv?.$type === 'VarRef' && e.member !== undefined) {
            const name = recv.ref?.$refText ?? '';
            const sym = scope.lookup(name);
            if (sym?.kind === 'library' || (!sym && e.call && !this.isValueName(name))) {
                if (!sym) {
                    this.reportNode('error', `Unknown library \`${name}\`; declare it with \`use ${name};\``, recv, 'unknown-lib');
                    for (const a of e.args) this.expr(a, scope, undefined);
                    return T.unknown;
                }
                this.symbols.set(recv, sym);
                this.types.set(recv, T.unknown);
                return this.libCall(e, sym as LibSymbol, scope);
            }
        }
        const rt = this.expr(recv, scope, undefined);
        if (e.tupleIndex !== undefined || e.tuplePath !== undefined) {
            const path = (e.tupleIndex ?? e.tuplePath ?? '').split('.').map(Number);
            let t = rt;
            for (const idx of path) {
                if (t.kind === 'unknown') return t;
                if (t.kind !== 'tuple') {
                    this.reportNode('error', `\`.${idx}\` needs a tuple, not ${typeToString(t)}`, e, 'not-tuple');
                    return T.unknown;
                }
                if (idx >= t.elems.length) {
                    this.reportNode('error', `Tuple index ${idx} is out of range for ${typeToString(t)}`, e, 'tuple-index');
                    return T.unknown;
                }
                t = t.elems[idx];
            }
            return t;
        }
        const member = e.member ?? '';
        if (rt.kind === 'str') {
            const m = STRING_METHODS.get(member);
            if (m && e.call) {
                this.symbols.set(e, { kind: 'string-method', name: member, def: m });
                this.checkArgs(e.args, m.params, scope, member, e);
                return m.result;
            }
            this.reportNode('error', `Strings have no ${e.call ? 'method' : 'field'} \`${member}\`; available: ${[...STRING_METHODS.keys()].map(k => k + '()').join(', ')}`, e, 'unknown-member');
        } else if (rt.kind !== 'unknown') {
            this.reportNode('error', `${typeToString(rt)} has no ${e.call ? 'method' : 'field'} \`${member}\``, e, 'unknown-member');
        }
        for (const a of e.args) this.expr(a, scope, undefined);
        return T.unknown;
    }

    /** True when `name` is a value (bound variable or builtin) so `name.x` is a member access, not a library. */
    private isValueName(name: string): boolean {
        return BUILTIN_CONSTS.has(name) || this.catalogVarNames.has(name) || FAMILY.test(name);
    }

    private libCall(e: ast.MemberExpr, lib: LibSymbol, scope: Scope): Type {
        const fnName = e.member ?? '';
        // whamm_core is bundled: its signatures are known unless --user-libs gives another library of that name.
        const exports = this.options.userLibs?.[lib.name] ?? coreLibrarySignatures(lib.name);
        const signature = exports?.[fnName];
        const sym: LibFnSymbol = { kind: 'lib-fn', lib, name: fnName, signature };
        this.symbols.set(e, sym);
        if (!e.call) {
            this.reportNode('error', `Library functions must be called: \`${lib.name}.${fnName}(...)\``, e, 'lib-not-called');
            return T.unknown;
        }
        if (exports && !signature) {
            this.reportNode('error', `Library \`${lib.name}\` has no exported function \`${fnName}\``, e, 'unknown-lib-fn');
        }
        if (signature) {
            this.checkArgs(e.args, signature.params.map((type, i) => ({ name: `#${i}`, type })), scope, `${lib.name}.${fnName}`, e);
            return signature.results.length === 0 ? T.unit : signature.results.length === 1 ? signature.results[0] : { kind: 'tuple', elems: signature.results };
        }
        for (const a of e.args) this.expr(a, scope, undefined);
        return T.unknown;
    }

    private indexExpr(e: ast.IndexExpr, scope: Scope): Type {
        const rt = this.expr(e.receiver, scope, undefined);
        if (rt.kind === 'map') {
            const kt = this.expr(e.index, scope, rt.key);
            this.expectAssignable(kt, rt.key, e.index, `The key type of this map is ${typeToString(rt.key)}, not`);
            return rt.value;
        }
        this.expr(e.index, scope, undefined);
        if (rt.kind !== 'unknown') this.reportNode('error', `Only maps can be indexed, not ${typeToString(rt)}`, e, 'not-indexable');
        return T.unknown;
    }

    // ---- helpers ----

    private expectAssignable(from: Type, to: Type, at: AstNode, prefix: string): void {
        if (assignable(from, to)) return;
        if (from.kind === 'unit') {
            this.reportNode('error', `This call returns no value; a ${typeToString(to)} is expected`, at, 'type-mismatch');
            return;
        }
        const hint = isNumeric(from) && isNumeric(to) || (from.kind === 'bool' && isNumeric(to)) || (isNumeric(from) && to.kind === 'bool')
            ? `; cast it with \`as ${typeToString(to)}\`` : '';
        this.reportNode('error', `${prefix} ${typeToString(from)}${hint}`, at, 'type-mismatch');
    }

    private reportUnused(): void {
        for (const [sym, count] of this.uses) {
            if (count > 0 || sym.kind === 'report' || sym.kind === 'global' || sym.kind === 'param') continue;
            this.reportProp('warning', `\`${sym.name}\` is declared but never used`, sym.decl, 'name', 'unused', true);
        }
    }

    private report(severity: Severity, message: string, start: number, end: number, code: string, unnecessary?: boolean): void {
        this.diagnostics.push({ severity, message, start, end, code, unnecessary });
    }

    private reportNode(severity: Severity, message: string, node: AstNode, code: string, unnecessary?: boolean): void {
        const cst = node.$cstNode;
        if (cst) this.report(severity, message, cst.offset, cst.end, code, unnecessary);
    }

    private reportProp(severity: Severity, message: string, node: AstNode, prop: string, code: string, unnecessary?: boolean): void {
        const cst = node.$cstNode ? GrammarUtils.findNodeForProperty(node.$cstNode, prop) ?? node.$cstNode : undefined;
        if (cst) this.report(severity, message, cst.offset, cst.end, code, unnecessary);
    }

    private reportKeyword(severity: Severity, message: string, node: AstNode, keyword: string, code: string): void {
        const cst = node.$cstNode ? GrammarUtils.findNodeForKeyword(node.$cstNode, keyword) ?? node.$cstNode : undefined;
        if (cst) this.report(severity, message, cst.offset, cst.end, code);
    }
}

function findVar(vars: readonly BoundVarDef[], name: string): BoundVarDef | undefined {
    let family: BoundVarDef | undefined;
    for (const v of vars) {
        if (!v.indexed && v.name === name) return v;
        if (v.indexed && !family && name.startsWith(v.name) && /^\d+$/.test(name.substring(v.name.length))
            && Number(name.substring(v.name.length)) >= (v.from ?? 0)) family = v;
    }
    return family;
}

function catalogNames(catalog: CatalogView): Set<string> {
    const names = new Set<string>();
    for (const v of catalog.providerVars) if (!v.indexed) names.add(v.name);
    for (const e of catalog.events) for (const v of e.vars) if (!v.indexed) names.add(v.name);
    return names;
}

function available(matches: readonly EventMatch[], family: string): string[] {
    const names = new Set<string>();
    for (const m of matches) for (const v of m.event.vars) {
        if (v.indexed && v.name === family) names.add(`${family}N`);
        else if (!v.indexed && FAMILY.exec(v.name)?.[1] === family) names.add(v.name);
    }
    return [...names].sort();
}

function familyWord(family: string): string {
    return family === 'arg' ? 'operands' : family === 'res' ? 'results' : family === 'imm' ? 'immediates' : 'locals';
}

function describeMatches(matches: readonly EventMatch[]): string {
    const events = [...new Set(matches.map(m => m.event.rule))];
    if (events.length === 0) return 'this probe';
    if (events.length === 1) return `\`${events[0]}\``;
    if (events.length <= 3) return events.map(e => `\`${e}\``).join(', ');
    return `the ${events.length} matched events`;
}

function describeKind(sym: ScriptSymbol): string {
    switch (sym.kind) {
        case 'function': return 'a function';
        case 'library': return 'a library';
        case 'builtin': return 'a built-in constant';
        case 'builtin-fn': case 'bound-fn': return 'a built-in function';
        case 'bound': return 'a bound variable';
        default: return 'a variable';
    }
}

function isLibContext(e: ast.VarRef): boolean {
    const c = e.$container;
    return c?.$type === 'MemberExpr' && (c as ast.MemberExpr).receiver === e;
}

/** Expressions whose type adapts to the context (literals and operators over literals). */
function isFlexible(e: ast.Expression | undefined): boolean {
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

export { isFloat };
