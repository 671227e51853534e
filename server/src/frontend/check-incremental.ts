// Checking an edited script again, item by item. Top-level items (probes, functions, globals' initial values,
// top-level statements) depend on each other only through the script-level names (globals, functions,
// `use`d libraries). Each item's check is kept, keyed by its AST node (the incremental parse keeps the
// nodes of the items an edit left alone), together with the script-level symbols its check looked up by
// name, found or not. After an edit the script-level names are declared again (an unchanged declaration
// keeps its symbol and its own diagnostics; duplicates are decided anew), and an item is checked again when
// its node is new or one of the names it looked up now resolves to another symbol. A declaration whose kind
// and type did not change keeps its symbol, so editing a function's body or a global's initial value does
// not re-check the items that use it. Kept diagnostics move with their item.
// The result equals `checkScript`'s: test/unit/incremental-parse.test.ts compares the two after thousands of
// random edits.
import type { AstNode } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { Checker, noProbeDiagnostic } from './checker.js';
import { Scope, type CheckDiagnostic, type CheckOptions, type CheckResult, type LibraryCall, type ProbeInfo } from './check-support.js';
import type { ScriptSymbol, VarSymbol } from './symbols.js';
import { typeEquals, type Type } from './types.js';

/** The script scope's names, recording which names an item's check looks up there (and what it found). */
class RecordingNames extends Map<string, ScriptSymbol> {
    log: Map<string, ScriptSymbol | undefined> | undefined;
    override get(name: string): ScriptSymbol | undefined {
        const sym = super.get(name);
        if (this.log && !this.log.has(name)) this.log.set(name, sym);
        return sym;
    }
}

class ScriptScope extends Scope {
    override readonly names = new RecordingNames();
    constructor() { super(undefined); }
}

/** One item's check, with what it depended on. */
interface ItemCheck {
    item: AstNode;
    /** The item's offset when it was checked (its diagnostics' offsets are relative to that). */
    base: number;
    /** The item's first line when it was checked, if a message names a line. */
    line: number | undefined;
    /** Script-level names the check looked up, and the symbol each resolved to. */
    deps: Map<string, ScriptSymbol | undefined>;
    /** The symbol the item itself declares (a global or function). */
    self: ScriptSymbol | undefined;
    diagnostics: CheckDiagnostic[];
    /** "declared but never used" warnings (reported after all others, as a whole check does). */
    unused: CheckDiagnostic[];
    state: CheckerState;
}

interface CheckerState {
    types: Map<AstNode, Type>;
    symbols: Map<AstNode, ScriptSymbol>;
    decls: Map<AstNode, ScriptSymbol>;
    probeInfos: Map<ast.Probe, ProbeInfo>;
    uses: Map<VarSymbol, number>;
    globals: ScriptSymbol[];
    libraryCalls: LibraryCall[];
    calledFunctions: Set<string>;
    stringMethods: Set<string>;
    refs: Map<VarSymbol, ast.VarRef[]>;
    diagnostics: CheckDiagnostic[];
}

class StateChecker extends Checker {
    state(): CheckerState {
        return this as unknown as CheckerState;
    }

    adopt(node: AstNode, sym: ScriptSymbol): void {
        this.decls.set(node, sym);
    }

    unusedDiagnostics(): CheckDiagnostic[] {
        const from = this.diagnostics.length;
        this.reportUnused();
        return this.diagnostics.splice(from);
    }
}

/** A declaration's own diagnostics (all but "duplicate", relative to `base`) and its symbol. */
interface DeclarationCheck { base: number; diagnostics: CheckDiagnostic[]; sym: ScriptSymbol }

/**
 * Declares the script-level names, keeping the symbols of the last check that are still the same. A global
 * or function whose node is unchanged keeps its symbol and its own diagnostics (they depend on its text
 * alone); whether its name is a duplicate is decided again.
 */
class DeclarationChecker extends StateChecker {
    constructor(options: CheckOptions, private readonly previous: ReadonlyMap<string, ScriptSymbol>,
        private readonly kept: WeakMap<AstNode, DeclarationCheck>) {
        super(options);
    }

    override declareItems(items: readonly ast.TopItem[], root: Scope): void {
        for (const item of items) {
            if (item.$type !== 'FnDef' && item.$type !== 'VarDecl') {
                if (item.$type === 'Use') super.declareItems([item], root);
                continue;
            }
            const k = this.kept.get(item);
            if (k) {
                if (k.diagnostics.length > 0) shifted(k.diagnostics, (item.$cstNode?.offset ?? 0) - k.base, this.diagnostics);
                // The kept symbol may have gone to another declaration of the same name since.
                const own = (k.sym as { decl?: AstNode }).decl === item ? k.sym : { ...k.sym, decl: item } as ScriptSymbol;
                k.sym = this.declare(root, item, own);
                if (item.$type === 'VarDecl') this.uses.set(k.sym as VarSymbol, 0);
                continue;
            }
            const from = this.diagnostics.length;
            super.declareItems([item], root);
            const own = this.diagnostics.slice(from).filter(d => d.code !== 'duplicate');
            this.kept.set(item, { base: item.$cstNode?.offset ?? 0, diagnostics: own, sym: this.decls.get(item)! });
        }
    }

    protected override scriptSymbol<S extends ScriptSymbol>(sym: S, root: Scope): S {
        // A name declared again in this script is a duplicate: it gets a symbol of its own.
        if (root.names.has(sym.name)) return sym;
        const prev = this.previous.get(sym.name);
        if (prev === sym || !prev || !sameSymbol(prev, sym)) return sym;
        (prev as { decl: unknown }).decl = (sym as { decl: unknown }).decl;
        return prev as S;
    }

    /** "declared but never used" for script-level variables, counting the uses of every item. */
    unusedGiven(items: readonly ItemCheck[]): CheckDiagnostic[] {
        const uses = this.state().uses;
        for (const sym of uses.keys()) {
            if (sym.kind !== 'unshared' && sym.kind !== 'local') continue;
            let count = 0;
            for (const c of items) count += c.state.uses.get(sym) ?? 0;
            uses.set(sym, count);
        }
        return this.unusedDiagnostics();
    }
}

/** Same kind, name and type: items checked against `a` are checked the same against `b`. */
function sameSymbol(a: ScriptSymbol, b: ScriptSymbol): boolean {
    if (a.kind !== b.kind || a.name !== b.name) return false;
    switch (a.kind) {
        case 'library': return true;
        case 'function': {
            const f = b as typeof a;
            // Messages about calls name the parameters.
            return a.params.length === f.params.length && a.params.every((t, i) => typeEquals(t, f.params[i]))
                && typeEquals(a.result, f.result) && a.decl.params.every((p, i) => p.name === f.decl.params[i]?.name);
        }
        case 'global': case 'report': case 'unshared': case 'local': case 'param': {
            const v = b as typeof a;
            return typeEquals(a.type, v.type) && a.perSite === v.perSite && a.owner === v.owner;
        }
        default: return false;
    }
}

function shifted(ds: readonly CheckDiagnostic[], delta: number, out: CheckDiagnostic[]): void {
    if (delta === 0) { for (const d of ds) out.push(d); return; }
    for (const d of ds) out.push({ ...d, start: d.start + delta, end: d.end + delta });
}

/** The top-level item a node belongs to. */
function topItem(node: AstNode): AstNode {
    let n = node;
    while (n.$container && n.$container.$type !== 'Script') n = n.$container;
    return n;
}

export interface IncrementalCheckStats { checked: number; reused: number }

/** Checks successive versions of one script, re-checking only the items an edit affected. */
export class IncrementalChecker {
    private previous: ReadonlyMap<string, ScriptSymbol> = new Map();
    private cache = new WeakMap<AstNode, ItemCheck>();
    private declarationCache = new WeakMap<AstNode, DeclarationCheck>();
    /** Items checked and reused by the last check. */
    readonly stats: IncrementalCheckStats = { checked: 0, reused: 0 };

    constructor(private readonly options: CheckOptions = {}) {}

    check(script: ast.Script): CheckResult {
        const items = script.items ?? [];
        const root = new ScriptScope();
        const declarations = new DeclarationChecker(this.options, this.previous, this.declarationCache);
        declarations.declareItems(items, root);
        this.stats.checked = 0;
        this.stats.reused = 0;
        const names = new Map<string, ScriptSymbol>();
        root.names.forEach((sym, name) => names.set(name, sym));
        const checks: ItemCheck[] = [];
        // The order of a whole check: functions last.
        for (const fns of [false, true]) {
            for (const item of items) {
                if ((item.$type === 'FnDef') !== fns || item.$type === 'Use') continue;
                let c = this.cache.get(item);
                if (c && this.stillValid(c, item, names, declarations)) this.stats.reused++;
                else {
                    c = this.checkItem(item, root, declarations);
                    this.cache.set(item, c);
                    this.stats.checked++;
                }
                checks.push(c);
            }
        }
        this.previous = names;

        const decl = declarations.state();
        const diagnostics: CheckDiagnostic[] = [...decl.diagnostics];
        // Most items have no diagnostics: only those that do need their (computed) offset.
        const delta = (c: ItemCheck) => (c.item.$cstNode?.offset ?? 0) - c.base;
        for (const c of checks) if (c.diagnostics.length > 0) shifted(c.diagnostics, delta(c), diagnostics);
        const noProbe = noProbeDiagnostic(script);
        if (noProbe) diagnostics.push(noProbe);
        for (const d of declarations.unusedGiven(checks)) diagnostics.push(d);
        for (const c of checks) if (c.unused.length > 0) shifted(c.unused, delta(c), diagnostics);
        diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);

        const byItem = new Map<AstNode, ItemCheck>();
        const probes: ProbeInfo[] = [];
        const libraryCalls: LibraryCall[] = [];
        const calledFunctions = new Set<string>();
        const stringMethods = new Set<string>();
        for (const c of checks) {
            byItem.set(c.item, c);
            const s = c.state;
            for (const p of s.probeInfos.values()) probes.push(p);
            for (const call of s.libraryCalls) {
                if (!libraryCalls.some(x => x.lib === call.lib && x.fn === call.fn)) libraryCalls.push(call);
            }
            for (const f of s.calledFunctions) calledFunctions.add(f);
            for (const m of s.stringMethods) stringMethods.add(m);
        }
        const of = (n: AstNode) => byItem.get(topItem(n))?.state;
        return {
            diagnostics, probes, libraryCalls, calledFunctions, stringMethods,
            globals: decl.globals,
            typeOf: n => of(n)?.types.get(n) ?? decl.types.get(n),
            symbolOf: n => of(n)?.symbols.get(n) ?? decl.symbols.get(n),
            declared: n => decl.decls.get(n) ?? of(n)?.decls.get(n),
            probeInfo: p => byItem.get(p)?.state.probeInfos.get(p),
            referencesOf: sym => {
                const out: ast.VarRef[] = [];
                for (const c of checks) { const r = c.state.refs.get(sym); if (r) for (const x of r) out.push(x); }
                return out;
            },
        };
    }

    private stillValid(c: ItemCheck, item: AstNode, names: ReadonlyMap<string, ScriptSymbol>, declarations: DeclarationChecker): boolean {
        if (c.self !== declarations.state().decls.get(item)) return false;
        for (const [name, sym] of c.deps) if (names.get(name) !== sym) return false;
        return c.line === undefined || c.line === item.$cstNode?.range.start.line;
    }

    private checkItem(item: ast.TopItem, root: ScriptScope, declarations: DeclarationChecker): ItemCheck {
        const checker = new StateChecker(this.options);
        const self = declarations.state().decls.get(item);
        if (self) checker.adopt(item, self);
        const deps = new Map<string, ScriptSymbol | undefined>();
        root.names.log = deps;
        try {
            checker.checkItem(item, root);
        } finally {
            root.names.log = undefined;
        }
        const unused = checker.unusedDiagnostics();
        const state = checker.state();
        // "Duplicate declaration of `x` (first declared on line N)" names a line.
        const line = state.diagnostics.some(d => d.code === 'duplicate') ? item.$cstNode?.range.start.line : undefined;
        return { item, base: item.$cstNode?.offset ?? 0, line, deps, self, diagnostics: state.diagnostics, unused, state };
    }
}
