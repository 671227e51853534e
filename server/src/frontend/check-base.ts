// The checker's state and how it reports: diagnostics, assignability, unused variables.
import type { AstNode } from 'langium';
import { GrammarUtils } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { catalogView, type CatalogView } from './catalog-view.js';
import type { FnSymbol, ScriptSymbol, VarSymbol } from './symbols.js';
import { assignable, isNumeric, typeToString, type Type } from './types.js';
import { type CheckDiagnostic, type CheckOptions, type LibraryCall, type ProbeInfo, type Severity, type ProbeCtx, catalogNames } from './check-support.js';

/** The bound variable and bound function names of a catalog (computed once per catalog, not per check). */
const namesOf = new WeakMap<CatalogView, { vars: Set<string>; fns: Set<string> }>();

export abstract class CheckerBase {
    protected readonly catalog: CatalogView;
    protected readonly diagnostics: CheckDiagnostic[] = [];
    protected readonly types = new Map<AstNode, Type>();
    protected readonly symbols = new Map<AstNode, ScriptSymbol>();
    protected readonly decls = new Map<AstNode, ScriptSymbol>();
    protected readonly probeInfos = new Map<ast.Probe, ProbeInfo>();
    protected readonly uses = new Map<VarSymbol, number>();
    protected readonly globals: ScriptSymbol[] = [];
    protected readonly libraryCalls: LibraryCall[] = [];
    protected readonly calledFunctions = new Set<string>();
    protected readonly stringMethods = new Set<string>();
    protected readonly refs = new Map<VarSymbol, ast.VarRef[]>();
    /** The call an `@static` decorates (its arguments are run-time code again). */
    protected staticCall: ast.Expression | undefined;
    protected probe: ProbeCtx | undefined;
    protected fn: FnSymbol | undefined;
    /** Checking the initialiser of a script global (runs at start-up, before script functions may run). */
    protected globalInit: ast.VarDecl | undefined;
    /** Checking the initialiser of a per-site variable (created before the probe's body ever runs). */
    protected siteInit: { decl: ast.VarDecl; probe: ast.Probe } | undefined;
    protected readonly catalogVarNames: Set<string>;
    protected readonly catalogFnNames: Set<string>;

    constructor(protected readonly options: CheckOptions) {
        this.catalog = options.catalog ?? catalogView();
        let names = namesOf.get(this.catalog);
        if (!names) {
            names = { vars: catalogNames(this.catalog), fns: new Set(this.catalog.events.flatMap(e => e.fns.map(f => f.name))) };
            namesOf.set(this.catalog, names);
        }
        this.catalogVarNames = names.vars;
        this.catalogFnNames = names.fns;
    }

    // ---- helpers ----

    protected expectAssignable(from: Type, to: Type, at: AstNode, prefix: string): void {
        if (assignable(from, to)) return;
        if (from.kind === 'unit') {
            this.reportNode('error', `This call returns no value; a ${typeToString(to)} is expected`, at, 'type-mismatch');
            return;
        }
        const hint = isNumeric(from) && isNumeric(to) || (from.kind === 'bool' && isNumeric(to)) || (isNumeric(from) && to.kind === 'bool')
            ? `; cast it with \`as ${typeToString(to)}\`` : '';
        this.reportNode('error', `${prefix} ${typeToString(from)}${hint}`, at, 'type-mismatch');
    }

    protected reportUnused(): void {
        for (const [sym, count] of this.uses) {
            // A declaration whose name is still missing (`var` being typed) already has its syntax error.
            if (count > 0 || !sym.name || sym.kind === 'report' || sym.kind === 'global' || sym.kind === 'param') continue;
            this.reportProp('warning', `\`${sym.name}\` is declared but never used`, sym.decl, 'name', 'unused', true);
        }
    }

    protected report(severity: Severity, message: string, start: number, end: number, code: string, unnecessary?: boolean): void {
        this.diagnostics.push({ severity, message, start, end, code, unnecessary });
    }

    protected reportNode(severity: Severity, message: string, node: AstNode, code: string, unnecessary?: boolean): void {
        const cst = node.$cstNode;
        if (cst) this.report(severity, message, cst.offset, cst.end, code, unnecessary);
    }

    protected reportProp(severity: Severity, message: string, node: AstNode, prop: string, code: string, unnecessary?: boolean): void {
        const cst = node.$cstNode ? GrammarUtils.findNodeForProperty(node.$cstNode, prop) ?? node.$cstNode : undefined;
        if (cst) this.report(severity, message, cst.offset, cst.end, code, unnecessary);
    }

    protected reportKeyword(severity: Severity, message: string, node: AstNode, keyword: string, code: string): void {
        const cst = node.$cstNode ? GrammarUtils.findNodeForKeyword(node.$cstNode, keyword) ?? node.$cstNode : undefined;
        if (cst) this.report(severity, message, cst.offset, cst.end, code);
    }
}
