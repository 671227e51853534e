// Lowering of a checked script to the engine's IR (ir.ts): the syntax tree plus the checker's types and
// symbols become self-contained typed nodes. Runs only on scripts without errors (the checker vouched for
// every name and type). The walk is recursive over expressions and statements, whose depth parse-guard.ts
// bounds before parsing.
import type { AstNode } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { BOUND_FN_LOWERING, type BuiltinLowering } from './builtins.js';
import type { CheckResult, ProbeInfo } from './check-support.js';
import { parseIntLit } from './check-support.js';
import { positionAt } from './diagnostics.js';
import type { IrDecl, IrExpr, IrFunction, IrIf, IrProbe, IrProgram, IrStmt, IrVar, Span, BinaryOp } from './ir.js';
import type { VarSymbol } from './symbols.js';
import { T, typeOfRef, type Type } from './types.js';

export interface LowerInput {
    text: string;
    script: ast.Script;
    check: CheckResult;
    uses: string[];
    probes: ProbeInfo[];
    /** Library calls of the checker, in program order. */
    libraryCalls: readonly { lib: string; fn: string; node: AstNode }[];
}

export function lowerProgram(input: LowerInput): IrProgram {
    return new Lowering(input).run();
}

const spanOf = (n: AstNode | undefined): Span => ({ start: n?.$cstNode?.offset ?? 0, end: n?.$cstNode?.end ?? 0 });

class Lowering {
    private readonly vars = new Map<VarSymbol, IrVar>();
    private readonly decls = new Map<ast.VarDecl, IrDecl>();
    /** Lowering keys of string methods and of built-in and bound calls, in the order the checker met them. */
    private readonly methods = new Set<BuiltinLowering>();
    private readonly calls = new Set<BuiltinLowering>();
    /** Probe index of the code being lowered; -1 outside probes. */
    private owner = -1;

    constructor(private readonly input: LowerInput) {}

    run(): IrProgram {
        const { script, text } = this.input;
        const globals: IrDecl[] = [];
        const topStatements: IrStmt[] = [];
        const functions: IrFunction[] = [];
        // In the checker's order (script items, then functions): it orders the imports built-ins need.
        const probes: IrProbe[] = [];
        const infos = new Map(this.input.probes.map(p => [p.probe, p]));
        for (const item of script.items ?? []) {
            if (item.$type === 'VarDecl') globals.push(this.decl(item));
            else if (item.$type === 'Probe') { const info = infos.get(item); if (info) probes.push(this.probe(info, probes.length)); }
            else if (item.$type !== 'Use' && item.$type !== 'FnDef') topStatements.push(this.stmt(item as ast.Statement));
        }
        for (const item of script.items ?? []) if (item.$type === 'FnDef') functions.push(this.fn(item));
        return {
            uses: this.input.uses, globals, topStatements, functions, probes,
            libraryCalls: this.input.libraryCalls.map(c => ({ lib: c.lib, fn: c.fn, span: spanOf(c.node) })),
            lowerings: new Set([...this.methods, ...this.calls]),
            position: offset => positionAt(text, offset),
        };
    }

    private probe(info: ProbeInfo, index: number): IrProbe {
        this.owner = index;
        const p = info.probe;
        const bounds = new Map<string, string>();
        for (const [name, b] of info.bounds) bounds.set(name, b.type);
        const predicate = p.predicate ? this.expr(p.predicate) : undefined;
        const body = this.stmts(p.body?.stmts);
        const siteVars = info.siteVars.map(d => this.decls.get(d)!).filter(d => d !== undefined);
        this.owner = -1;
        return {
            index, rule: p.rule ?? '', span: spanOf(p), ruleSpan: { start: info.ruleOffset, end: info.ruleOffset + (p.rule ?? '').length },
            matches: info.matches, bounds, predicate, body, siteVars,
            uses: info.uses, writes: info.writes, hasStaticCalls: info.hasStaticCalls,
        };
    }

    private fn(f: ast.FnDef): IrFunction {
        const params = f.params.map(p => this.varOf(this.input.check.declared(p) as VarSymbol, p));
        return { name: f.name, params, result: f.returnType ? typeOfRef(f.returnType) : T.unit, body: this.stmts(f.body?.stmts), span: spanOf(f) };
    }

    private varOf(sym: VarSymbol, decl: AstNode): IrVar {
        let v = this.vars.get(sym);
        if (!v) {
            v = { name: sym.name, type: sym.type, storage: sym.kind, perSite: sym.perSite, usedIn: new Set(), span: spanOf(decl) };
            this.vars.set(sym, v);
        }
        return v;
    }

    private decl(d: ast.VarDecl): IrDecl {
        const sym = this.input.check.declared(d) as VarSymbol;
        const out: IrDecl = { kind: 'decl', var: this.varOf(sym, d), span: spanOf(d) };
        if (d.init) out.init = this.expr(d.init);
        this.decls.set(d, out);
        return out;
    }

    private stmts(list: readonly ast.Statement[] | undefined): IrStmt[] {
        return (list ?? []).map(s => this.stmt(s));
    }

    private stmt(s: ast.Statement): IrStmt {
        const span = spanOf(s);
        switch (s.$type) {
            case 'VarDecl': return this.decl(s);
            case 'Block': return { kind: 'block', body: this.stmts(s.stmts), span };
            case 'IfStmt': return this.ifStmt(s);
            case 'ReturnStmt': return s.value ? { kind: 'return', value: this.expr(s.value), span } : { kind: 'return', span };
            case 'Assignment': return { kind: 'assign', target: this.expr(s.target), value: this.expr(s.value), span };
            case 'IncDec': return { kind: 'incdec', op: s.op as '++' | '--', target: this.expr(s.target), span };
            case 'ExprStmt': return { kind: 'expr', expr: this.expr(s.expr), span };
        }
    }

    private ifStmt(s: ast.IfStmt): IrIf {
        const out: IrIf = {
            kind: 'if', cond: this.expr(s.cond), then: this.stmts(s.then?.stmts),
            elifs: (s.elifs ?? []).map(e => ({ cond: this.expr(e.cond), body: this.stmts(e.body?.stmts) })), span: spanOf(s),
        };
        if (s.elseIf) out.elseIf = this.ifStmt(s.elseIf);
        else if (s.else) out.else = this.stmts(s.else.stmts);
        return out;
    }

    private args(list: readonly ast.Expression[]): IrExpr[] {
        return list.map(a => this.expr(a));
    }

    private typeOf(e: AstNode): Type {
        return this.input.check.typeOf(e) ?? T.unknown;
    }

    private expr(e: ast.Expression): IrExpr {
        const type = this.typeOf(e), span = spanOf(e);
        const check = this.input.check;
        switch (e.$type) {
            case 'IntLit': return { kind: 'int', value: parseIntLit(e.value) ?? 0n, type, span };
            case 'FloatLit': {
                const value = e.value === 'inf' ? Infinity : e.value === 'NaN' ? NaN : Number(e.value.replace(/_/g, ''));
                return { kind: 'float', value, type, span };
            }
            case 'BoolLit': return { kind: 'bool', value: e.value, type, span };
            case 'StrLit': return { kind: 'str', value: unescape(e.value), type, span };
            case 'VarRef': return this.name(e, type, span);
            case 'UnaryExpr': return { kind: 'unary', op: e.op as '!' | '~' | '-', operand: this.expr(e.operand), type, span };
            case 'BinaryExpr': return { kind: 'binary', op: e.operator as BinaryOp, left: this.expr(e.left), right: this.expr(e.right), type, span };
            case 'CastExpr': return { kind: 'cast', to: typeOfRef(e.type), expr: this.expr(e.expr), type, span };
            case 'TernaryExpr': return { kind: 'ternary', cond: this.expr(e.cond), then: this.expr(e.then), else: this.expr(e.else), type, span };
            case 'TupleExpr': return { kind: 'tuple', elems: e.elems.map(x => this.expr(x)), type, span };
            case 'IndexExpr': return { kind: 'index', recv: this.expr(e.receiver), index: this.expr(e.index), type, span };
            case 'DecoratedCall': {
                const inner = this.expr(e.call);
                if (e.decorator === '@static' && inner.kind === 'lib-call') return { ...inner, isStatic: true };
                return inner;
            }
            case 'CallExpr': {
                const sym = check.symbolOf(e);
                const name = e.callee?.$refText ?? '';
                if (sym?.kind === 'function') return { kind: 'call', callee: { kind: 'function', name, params: sym.params, result: sym.result }, args: this.args(e.args), type, span };
                if (sym?.kind === 'builtin-fn') {
                    this.calls.add(sym.def.lower);
                    return { kind: 'call', callee: { kind: 'builtin', name, lower: sym.def.lower }, args: this.args(e.args), type, span };
                }
                const lower = BOUND_FN_LOWERING.get(name);
                if (sym?.kind === 'bound-fn' && lower) {
                    this.calls.add(lower);
                    return { kind: 'call', callee: { kind: 'bound-fn', name, lower }, args: this.args(e.args), type, span };
                }
                throw new Error(`no lowering for the call of \`${name}\``);
            }
            case 'MemberExpr': {
                const sym = check.symbolOf(e);
                if (sym?.kind === 'lib-fn') return { kind: 'lib-call', lib: sym.lib.name, fn: sym.name, args: this.args(e.args), isStatic: false, type, span };
                const recv = this.expr(e.receiver);
                if (sym?.kind === 'string-method') {
                    this.methods.add(sym.def.lower);
                    return { kind: 'method', recv, name: sym.name, lower: sym.def.lower, args: this.args(e.args), type, span };
                }
                const path = (e.tuplePath ?? e.tupleIndex)?.split('.').map(Number);
                if (path) return { kind: 'field', recv, path, type, span };
                throw new Error(`no lowering for the member \`${e.member ?? ''}\``);
            }
        }
    }

    private name(e: ast.VarRef, type: Type, span: Span): IrExpr {
        const sym = this.input.check.symbolOf(e);
        const name = e.ref?.$refText ?? '';
        switch (sym?.kind) {
            case 'global': case 'report': case 'unshared': case 'local': case 'param': {
                const v = this.varOf(sym, sym.decl);
                v.usedIn.add(this.owner);
                return { kind: 'var', var: v, type, span };
            }
            case 'bound': return { kind: 'bound', name, isStatic: sym.isStatic, type, span };
            case 'builtin':
                return { kind: 'const', name, lower: sym.def.lower, type, span };
            case 'library': return { kind: 'lib', name, type, span };
        }
        throw new Error(`no lowering for the name \`${name}\``);
    }
}

/** The value of a string literal (quotes removed, escapes resolved). */
export function unescape(lit: string): string {
    const body = lit.slice(1, -1);
    return body.replace(/\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)/g, (_, e: string) => {
        switch (e[0]) {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case '0': return '\0';
            case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
            case 'u': return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
            default: return e;
        }
    });
}
