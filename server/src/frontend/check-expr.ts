// Expressions: every expression gets a type; literals take the type their context expects.
import type * as ast from '../language/generated/ast.js';
import { castable, intBits, isInt, isNumeric, T, typeEquals, typeOfRef, typeToString, type Type } from './types.js';
import { Scope, isFlexible, parseIntLit } from './check-support.js';
import { NameChecker } from './check-names.js';
import { isStaticExpr } from './check-static.js';

export abstract class ExprChecker extends NameChecker {

    protected condition(e: ast.Expression | undefined, scope: Scope, what: string): void {
        if (!e) return;
        const t = this.expr(e, scope, T.bool);
        if (t.kind !== 'bool' && t.kind !== 'unknown') {
            this.reportNode('error', `The ${what} must be a bool, not ${typeToString(t)}`, e, 'condition-type');
        }
    }

    // ---- expressions ----

    protected expr(e: ast.Expression | undefined, scope: Scope, expected: Type | undefined, isWrite = false): Type {
        if (!e) return T.unknown;
        const t = this.exprInner(e, scope, expected, isWrite);
        this.types.set(e, t);
        return t;
    }

    protected exprInner(e: ast.Expression, scope: Scope, expected: Type | undefined, isWrite: boolean): Type {
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
                if (e.decorator === '@static') {
                    this.staticCall = e.call;
                    if (this.probe) this.probe.info.hasStaticCalls = true;
                }
                const t = this.expr(e.call, scope, expected);
                const call = e.call;
                const isLibCall = call?.$type === 'MemberExpr' && call.call && this.symbols.get(call)?.kind === 'lib-fn';
                if (call && !isLibCall && t.kind !== 'unknown') {
                    this.reportNode('error', `\`${e.decorator}\` applies to library calls (\`lib.fn(...)\`)`, e, 'decorator-target');
                }
                if (isLibCall && e.decorator === '@static') {
                    for (const a of (call as ast.MemberExpr).args) {
                        if (!isStaticExpr(a, n => this.symbols.get(n))) {
                            this.reportNode('error', 'The arguments of an `@static` call are evaluated at instrumentation time: use literals, static bound variables (`fid`, `pc`, `opname`...) and operators over them', a, 'static-args');
                        }
                    }
                }
                return t;
            }
        }
        return T.unknown;
    }

    protected intLit(e: ast.IntLit, expected: Type | undefined): Type {
        if (expected && isNumeric(expected)) {
            if (isInt(expected)) this.checkIntRange(e, expected);
            return expected;
        }
        const v = parseIntLit(e.value);
        if (v === undefined) return T.i32;
        if (v > 0xffffffffffffffffn) {
            this.reportNode('error', `${e.value} does not fit in any integer type (at most 18446744073709551615, u64)`, e, 'int-range');
            return T.u64;
        }
        if (v <= 0x7fffffffn) return T.i32;
        if (v <= 0x7fffffffffffffffn) return T.i64;
        return T.u64;
    }

    protected checkIntRange(e: ast.IntLit, t: Type): void {
        const v = parseIntLit(e.value);
        if (v === undefined) return;
        const bits = BigInt(intBits(t));
        // Negated literals (`-128` as i8) are checked against the unsigned range of the width: wrap-around
        // of the magnitude is what the engine does anyway; only values that do not fit the width at all
        // are surely mistakes.
        if (v >= (1n << bits)) {
            const max = (1n << bits) - 1n;
            this.reportNode('error', `${e.value} does not fit in ${typeToString(t)} (at most ${max}); use a wider type, e.g. \`${bits < 64n ? (t.kind.startsWith('i') ? 'i64' : 'u64') : 'u64'}\`, or a smaller value`, e, 'int-range');
        }
    }

    protected checkString(e: ast.StrLit): void {
        // Escapes are read left to right, so the backslash of `\\` never starts another escape.
        const escapes = /\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|[nrt"'\\0]|(u|x|[\s\S]?))/g;
        let bad: RegExpExecArray | null;
        while ((bad = escapes.exec(e.value)) && bad[1] === undefined) { /* a valid escape */ }
        if (bad && e.$cstNode) {
            const start = e.$cstNode.offset + bad.index;
            this.report('error', `Invalid escape \`${bad[0]}\`; valid escapes: \\n \\r \\t \\" \\' \\\\ \\0 \\xHH \\u{H+}`, start, start + bad[0].length, 'bad-escape');
        }
    }

    protected unary(e: ast.UnaryExpr, scope: Scope, expected: Type | undefined): Type {
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

    protected binary(e: ast.BinaryExpr, scope: Scope, expected: Type | undefined): Type {
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
            else if (l.kind === 'map' || l.kind === 'funcref' || l.kind === 'tuple') this.reportNode('error', `\`${op}\` cannot compare ${typeToString(l)} values`, e, 'operand-type');
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
}
