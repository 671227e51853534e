import { DefaultTokenBuilder, type GrammarAST, type TokenBuilderOptions } from 'langium';
import type { IToken, TokenType, TokenVocabulary } from 'chevrotain';

const RULE_CHAR = /[A-Za-z0-9_*?|.\[\]]/;
const RULE_START = /[A-Za-z_*?\[:]/;

/**
 * Matches a probe match rule (`wasm:opcode:*load*|*store*(arg0: i32):before`) as a single token. Any part
 * may be empty (`:::alt`, `::call:`): it then matches everything.
 * Its glob characters collide with operators, so it is only recognised where a top-level item may start:
 * at the beginning of the file or right after `;` or `}`. Statements never begin with `name:`, so this
 * cannot swallow an expression. Also at the start of a line after a statement missing its `;` (`var x: u32`
 * or a type name being typed, ending in a name, literal or bracket): nothing valid goes on with a name
 * there, and the probe after it is then still parsed.
 */
export function matchProbeRule(text: string, offset: number, tokens: IToken[]): RegExpExecArray | null {
    if (!RULE_START.test(text.charAt(offset))) return null;
    const prev = tokens.length > 0 ? tokens[tokens.length - 1].image : undefined;
    if (prev !== undefined && prev !== ';' && prev !== '}' && !ruleAfterUnfinished(text, offset, prev)) return null;
    let i = offset;
    let colons = 0;
    for (;;) {
        while (i < text.length && RULE_CHAR.test(text.charAt(i))) i++;
        if (text.charAt(i) === '(') {
            const close = closingParen(text, i);
            if (close < 0) return null;
            i = close + 1;
        }
        if (text.charAt(i) !== ':') break;
        colons++;
        i++;
    }
    if (colons === 0) return null;
    return execResult(text, offset, i);
}

/** Words after which a statement goes on: a name on the next line is not a probe rule after them. */
const CONTINUED = new Set(['var', 'report', 'unshared', 'fn', 'use', 'if', 'elif', 'else', 'return', 'as', 'map']);

/** Whether a token of this text ends an operand (a name, a literal, `)` or `]`): no name may follow it. */
export function endsOperand(image: string): boolean {
    const c = image.charCodeAt(0);
    if (/^[A-Za-z_]\w*$/.test(image)) return !CONTINUED.has(image);
    return (c >= 48 && c <= 57) || c === 34 /* " */ || image === ')' || image === ']';
}

/** A rule starting a line (a name first) after a token that ends an operand (see matchProbeRule). */
export function ruleAfterUnfinished(text: string, offset: number, prev: string): boolean {
    if (!/[A-Za-z_]/.test(text.charAt(offset)) || !endsOperand(prev)) return false;
    for (let i = offset - 1; i >= 0; i--) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13) return true;
        if (c !== 32 && c !== 9) return false;
    }
    return false;
}

/** Block comments nest (`/* a /* b *\/ c *\/`); an unterminated one runs to the end of the text. */
export function matchBlockComment(text: string, offset: number): RegExpExecArray | null {
    if (!text.startsWith('/*', offset)) return null;
    let depth = 0;
    let i = offset;
    while (i < text.length) {
        if (text.startsWith('/*', i)) { depth++; i += 2; }
        else if (text.startsWith('*/', i)) { depth--; i += 2; if (depth === 0) break; }
        else i++;
    }
    return execResult(text, offset, i);
}

/** A string literal, scanned without a backtracking regular expression (a 5 MB literal overflowed the regex stack). */
export function matchString(text: string, offset: number): RegExpExecArray | null {
    if (text.charCodeAt(offset) !== 34 /* " */) return null;
    const end = stringEnd(text, offset);
    return end < 0 ? null : execResult(text, offset, end);
}

/** Offset after the closing quote of the string starting at `start`, or -1 when it is not terminated (as the STRING token). */
export function stringEnd(text: string, start: number): number {
    let i = start + 1;
    while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 34 /* " */) return i + 1;
        if (c === 92 /* \ */) {
            const next = text.charCodeAt(i + 1);
            // `\\.`: the escaped character is anything but a line terminator.
            if (Number.isNaN(next) || next === 10 || next === 13 || next === 0x2028 || next === 0x2029) return -1;
            i += 2;
        } else i++;
    }
    return -1;
}

function closingParen(text: string, open: number): number {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        const c = text.charAt(i);
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) return i;
        else if (c === '{' || c === ';' || c === '/') return -1;
    }
    return -1;
}

function execResult(text: string, start: number, end: number): RegExpExecArray {
    const result = [text.substring(start, end)] as unknown as RegExpExecArray;
    result.index = start;
    result.input = text;
    return result;
}

const FRONT = ['WS', 'ML_COMMENT', 'SL_COMMENT', 'PROBE_RULE'];

export class WhammTokenBuilder extends DefaultTokenBuilder {
    override buildTokens(grammar: GrammarAST.Grammar, options?: TokenBuilderOptions): TokenVocabulary {
        const tokens = super.buildTokens(grammar, options) as TokenType[];
        // Comments and rules must win over the `/`, `*` and `|` keywords, so they go first.
        const front = FRONT.map(name => tokens.find(t => t.name === name)).filter((t): t is TokenType => !!t);
        return [...front, ...tokens.filter(t => !front.includes(t))];
    }

    protected override buildTerminalToken(terminal: GrammarAST.TerminalRule): TokenType {
        const token = super.buildTerminalToken(terminal);
        if (terminal.name === 'PROBE_RULE') {
            token.PATTERN = { exec: matchProbeRule };
            token.LINE_BREAKS = true;
            token.START_CHARS_HINT = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_*?[:'];
        } else if (terminal.name === 'STRING') {
            token.PATTERN = { exec: matchString };
            token.LINE_BREAKS = true;
            token.START_CHARS_HINT = ['"'];
        } else if (terminal.name === 'ML_COMMENT') {
            token.PATTERN = { exec: matchBlockComment };
            token.LINE_BREAKS = true;
            token.START_CHARS_HINT = ['/'];
        }
        return token;
    }
}
