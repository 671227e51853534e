// Names: variables, bound variables of the probe's events, built-ins, calls, members, library calls, maps.
import type { AstNode } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { BUILTIN_CONSTS, BUILTIN_FNS, STRING_METHODS, type BuiltinFn } from './builtins.js';
import { type BoundVarDef } from './catalog-view.js';
import type { BoundSymbol, LibFnSymbol, LibSymbol, ScriptSymbol } from './symbols.js';
import { isInt, prim, T, typeEquals, typeToString, type Type } from './types.js';
import { Scope, FAMILY, findVar, available, familyWord, describeMatches, describeKind, isLibContext } from './check-support.js';
import { CheckerBase } from './check-base.js';
import { coreLibrarySignatures } from './core-library.js';
import { hasEffects, isStaticExpr } from './check-static.js';

export abstract class NameChecker extends CheckerBase {

    // ---- names ----

    protected varRef(e: ast.VarRef, scope: Scope, _isWrite: boolean): Type {
        const name = e.ref?.$refText ?? '';
        const sym = this.resolveName(name, scope, e);
        if (!sym) return T.unknown;
        this.symbols.set(e, sym);
        if (this.siteInit) this.checkSiteInitRead(e, sym);
        switch (sym.kind) {
            case 'global': case 'report': case 'unshared': case 'local': case 'param':
                this.uses.set(sym, (this.uses.get(sym) ?? 0) + 1);
                (this.refs.get(sym) ?? this.refs.set(sym, []).get(sym)!).push(e);
                return sym.type;
            case 'bound': this.probe?.info.uses.add(sym.name); return sym.type;
            case 'builtin': return sym.type;
            case 'library':
                if (!isLibContext(e)) this.reportNode('error', `\`${name}\` is a library, not a value; call its functions with \`${name}.fn(...)\``, e, 'lib-as-value');
                return T.unknown;
            case 'function': case 'bound-fn': case 'builtin-fn':
                this.reportNode('error', `\`${name}\` is a function; call it with \`${name}(...)\``, e, 'fn-as-value');
                return T.unknown;
        }
        return T.unknown;
    }

    /**
     * A per-site variable's initialiser runs once per match site, before the probe's body ever runs: it may
     * read constants, globals, static bound variables, built-ins and `@static` calls, not the probe's own
     * variables or values that exist only while the probe runs.
     */
    protected checkSiteInitRead(e: ast.VarRef, sym: ScriptSymbol): void {
        const init = this.siteInit!;
        const fix = `declare \`${init.decl.name}\` without an initial value and assign it in the probe's body`;
        // Another per-site variable with an initial value of its own is created first (`report var s: str = "a";
        // report var l: u32 = s.len();`); a probe local or an uninitialised one has no value yet.
        const initialised = (sym.kind === 'report' || sym.kind === 'unshared') && !!(sym.decl as ast.VarDecl).init;
        if ((sym.kind === 'local' || sym.kind === 'report' || sym.kind === 'unshared') && sym.owner === init.probe && !initialised) {
            this.reportNode('error', `\`${init.decl.name}\` is created once per match site, before the probe runs, so its initial value cannot read \`${sym.name}\`, declared in this probe; ${fix}`, e, 'site-init-reads-probe');
        } else if (sym.kind === 'bound' && !sym.isStatic) {
            this.reportNode('error', `\`${init.decl.name}\` is created once per match site, before the probe runs, when \`${sym.name}\` has no value yet; ${fix}`, e, 'site-init-reads-probe');
        }
    }

    /** Resolves a plain name: script scopes, then the probe's bound variables, then built-ins. */
    protected resolveName(name: string, scope: Scope, at: AstNode): ScriptSymbol | undefined {
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
    protected resolveBound(name: string, at: AstNode): BoundSymbol | false | undefined {
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

    protected callExpr(e: ast.CallExpr, scope: Scope): Type {
        const name = e.callee?.$refText ?? '';
        const local = scope.lookup(name);
        if (local) {
            this.symbols.set(e, local);
            if (local.kind === 'function') {
                if (this.globalInit) {
                    this.reportNode('error', `The initial value of the global \`${this.globalInit.name}\` is computed at start-up, before script functions may run, so it cannot call \`${name}\`; assign it in \`wasm:begin { ${this.globalInit.name} = ${name}(...); }\` instead`, e, 'global-init-calls-fn');
                }
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
                this.probe.info.uses.add(name);
                this.calledFunctions.add(name);
                if ((name === 'alt_call_by_id' || name === 'alt_call_by_name' || name === 'drop_args') && !this.probe.isAlt) {
                    this.reportNode('error', `\`${name}\` can only be used in \`alt\` probes`, e, 'alt-only');
                }
                this.checkArgs(e.args, def.params, scope, name, e);
                const arg = e.args[0];
                if (name === 'alt_call_by_name' && arg && arg.$type !== 'StrLit') {
                    this.reportNode('error', '`alt_call_by_name` names the function with a string literal, e.g. `alt_call_by_name("my_fn")`', arg, 'static-args');
                } else if (name === 'alt_call_by_id' && arg && !isStaticExpr(arg, n => this.symbols.get(n))) {
                    this.reportNode('error', '`alt_call_by_id` needs a function index known at instrumentation time (a literal or static bound variables such as `fid`)', arg, 'static-args');
                }
                return def.result;
            }
        }
        const f = BUILTIN_FNS.get(name);
        if (f) {
            this.symbols.set(e, { kind: 'builtin-fn', name, def: f });
            this.calledFunctions.add(name);
            const t = this.builtinCall(f, e, scope);
            const mem = e.args[0];
            if ((name === 'active_data_start' || name === 'active_data_len') && mem && !isStaticExpr(mem, n => this.symbols.get(n))) {
                this.reportNode('error', `\`${name}\` needs a memory id known at instrumentation time, e.g. \`${name}(0)\``, mem, 'static-args');
            }
            return t;
        }
        if (this.catalog.events.some(ev => ev.fns.some(fn => fn.name === name))) {
            this.reportNode('error', `\`${name}\` is not available for ${this.probe ? describeMatches(this.probe.info.matches) : 'code outside probes'}`, e, 'bound-unavailable');
        } else {
            this.reportNode('error', `Unknown function \`${name}\``, e, 'unknown-function');
        }
        for (const a of e.args) this.expr(a, scope, undefined);
        return T.unknown;
    }

    protected builtinCall(f: BuiltinFn, e: ast.CallExpr, scope: Scope): Type {
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

    protected checkArgs(args: ast.Expression[], params: readonly { name: string; type: Type }[], scope: Scope, name: string, at: AstNode): void {
        if (args.length !== params.length) {
            this.reportNode('error', `\`${name}\` takes ${params.length} argument${params.length === 1 ? '' : 's'}, got ${args.length}`, at, 'arg-count');
        }
        args.forEach((a, i) => {
            const p = params[i];
            const t = this.expr(a, scope, p?.type);
            if (p) this.expectAssignable(t, p.type, a, `Argument \`${p.name}\` of \`${name}\` is ${typeToString(p.type)}, not`);
        });
    }

    protected memberExpr(e: ast.MemberExpr, scope: Scope): Type {
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
            this.checkSelectedTuple(e, path);
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
                this.stringMethods.add(member);
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

    /**
     * `(a, b).1` on a tuple written in place selects one element at instrumentation time; the others are
     * never evaluated, so they must not have effects (a call, `/` or `%`).
     */
    protected checkSelectedTuple(e: ast.MemberExpr, path: number[]): void {
        let t: ast.Expression | undefined = e.receiver;
        for (const idx of path) {
            if (t?.$type !== 'TupleExpr') return;
            const k = t.elems.findIndex((x, j) => j !== idx && hasEffects(x, n => this.symbols.get(n)));
            const cst = k >= 0 ? t.elems[k].$cstNode : undefined;
            if (cst) {
                // The first element's syntax node starts at the tuple's `(`.
                const skip = k === 0 ? /^[(\s]*/.exec(cst.text)![0].length : 0;
                this.report('error', 'Selecting an element of a tuple written in place skips the other elements, and this one has effects (a call, `/` or `%`); assign the tuple to a variable first', cst.offset + skip, cst.end, 'tuple-select-effects');
                return;
            }
            t = t.elems[idx];
        }
    }

    /** True when `name` is a value (bound variable or builtin) so `name.x` is a member access, not a library. */
    protected isValueName(name: string): boolean {
        return BUILTIN_CONSTS.has(name) || this.catalogVarNames.has(name) || FAMILY.test(name);
    }

    protected libCall(e: ast.MemberExpr, lib: LibSymbol, scope: Scope): Type {
        const fnName = e.member ?? '';
        // whamm_core is bundled: its signatures are known unless --user-libs gives another library of that name.
        const exports = this.options.userLibs?.[lib.name] ?? coreLibrarySignatures(lib.name);
        const signature = exports?.[fnName];
        const sym: LibFnSymbol = { kind: 'lib-fn', lib, name: fnName, signature };
        this.symbols.set(e, sym);
        if (this.staticCall !== e && e.call && !this.libraryCalls.some(c => c.lib === lib.name && c.fn === fnName)) {
            this.libraryCalls.push({ lib: lib.name, fn: fnName, node: e });
        }
        if (this.staticCall === e) this.staticCall = undefined;
        if (!e.call) {
            this.reportNode('error', `Library functions must be called: \`${lib.name}.${fnName}(...)\``, e, 'lib-not-called');
            return T.unknown;
        }
        if (this.options.userLibs && !exports) {
            this.reportNode('error', `Library \`${lib.name}\` was not given; pass its module with \`--user-libs ${lib.name}=PATH\``, e, 'lib-not-given');
        } else if (exports && !signature) {
            this.reportNode('error', `Library \`${lib.name}\` has no exported function \`${fnName}\``, e, 'unknown-lib-fn');
        }
        if (signature) {
            this.checkArgs(e.args, signature.params.map((type, i) => ({ name: `#${i}`, type })), scope, `${lib.name}.${fnName}`, e);
            return signature.results.length === 0 ? T.unit : signature.results.length === 1 ? signature.results[0] : { kind: 'tuple', elems: signature.results };
        }
        for (const a of e.args) this.expr(a, scope, undefined);
        return T.unknown;
    }

    protected indexExpr(e: ast.IndexExpr, scope: Scope): Type {
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

    protected abstract expr(e: ast.Expression | undefined, scope: Scope, expected: Type | undefined, isWrite?: boolean): Type;
}
