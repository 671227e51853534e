// What the engine needs to know at instrumentation time, decided on the syntax tree: whether an expression
// is static (literals, static bound variables, built-in constants and operators over them, which the engine
// folds to a constant at every site), and whether evaluating it has effects the engine must keep (calls that
// write or may trap, `/` and `%`). Both walks are iterative.
import type { AstNode } from 'langium';
import type * as ast from '../language/generated/ast.js';
import type { ScriptSymbol } from './symbols.js';

type SymbolOf = (n: AstNode) => ScriptSymbol | undefined;

/** Built-ins whose result the engine knows at instrumentation time when their arguments are static. */
const STATIC_BUILTINS = new Set(['page_size', 'memid', 'active_data_start', 'active_data_len']);
/** Built-ins and string methods without effects (reads of run-time values are fine). */
const PURE_CALLS = new Set(['page_size', 'mem_size', 'memid', 'strcmp', 'active_data_start', 'active_data_len', 'len', 'starts_with', 'ends_with', 'contains', 'addr']);

/** Sub-expressions of an expression node (one level). */
function parts(e: ast.Expression): (ast.Expression | undefined)[] {
    switch (e.$type) {
        case 'UnaryExpr': return [e.operand];
        case 'BinaryExpr': return [e.left, e.right];
        case 'CastExpr': return [e.expr];
        case 'TernaryExpr': return [e.cond, e.then, e.else];
        case 'TupleExpr': return e.elems;
        case 'IndexExpr': return [e.receiver, e.index];
        case 'CallExpr': return e.args;
        case 'MemberExpr': return [e.receiver, ...e.args];
        case 'DecoratedCall': return [e.call];
        default: return [];
    }
}

/** Known at instrumentation time at every site the probe matches. */
export function isStaticExpr(root: ast.Expression, symbolOf: SymbolOf): boolean {
    const stack: ast.Expression[] = [root];
    while (stack.length) {
        const e = stack.pop()!;
        switch (e.$type) {
            case 'IntLit': case 'FloatLit': case 'BoolLit': case 'StrLit': continue;
            case 'VarRef': {
                const sym = symbolOf(e);
                if (sym?.kind === 'builtin' || sym?.kind === 'library' || (sym?.kind === 'bound' && sym.isStatic)) continue;
                return false;
            }
            case 'UnaryExpr': case 'BinaryExpr': case 'CastExpr': case 'TernaryExpr': case 'TupleExpr': break;
            case 'CallExpr':
                if (!STATIC_BUILTINS.has(e.callee?.$refText ?? '') || symbolOf(e)?.kind !== 'builtin-fn') return false;
                break;
            case 'MemberExpr': {
                const sym = symbolOf(e);
                // String methods on static strings fold (not addr(): where the runtime puts a string).
                if (e.call && !(sym?.kind === 'string-method' && sym.name !== 'addr')) return false;
                break;
            }
            case 'DecoratedCall': if (e.decorator === '@static') continue; return false;
            default: return false;
        }
        for (const p of parts(e)) if (p) stack.push(p);
    }
    return true;
}

/** Evaluating the expression writes something, calls script or library code, or may trap. */
export function hasEffects(root: ast.Expression, symbolOf: SymbolOf): boolean {
    const stack: ast.Expression[] = [root];
    while (stack.length) {
        const e = stack.pop()!;
        if (e.$type === 'BinaryExpr' && (e.operator === '/' || e.operator === '%')) return true;
        if (e.$type === 'CallExpr') {
            const sym = symbolOf(e);
            if (!(sym?.kind === 'builtin-fn' && PURE_CALLS.has(sym.name))) return true;
        }
        if (e.$type === 'MemberExpr' && e.call) {
            const sym = symbolOf(e);
            if (!(sym?.kind === 'string-method' && PURE_CALLS.has(sym.name))) return true;
        }
        // An `@static` call runs at instrumentation time: nothing of it is left at run time.
        if (e.$type === 'DecoratedCall') { if (e.decorator === '@static') continue; return true; }
        for (const p of parts(e)) if (p) stack.push(p);
    }
    return false;
}
