// A statement that starts like an expression but fits no statement (a word being typed, `f(1)` without its
// `;`) makes the parser give up on the rest of the script: every rule it unwinds reports the same word and the
// items after it are never parsed (no outline, no diagnostics there). The parser's wrapper (whamm-parser.ts)
// blanks such a statement (same length, newlines kept, as parse-guard.ts does) and parses again; the
// statement gets one error at its first word.
import type { IRecognitionException, IToken } from 'chevrotain';
import { blanked, type GuardIssue } from './parse-guard.js';

/** Tokens an expression statement can start with (names, literals, prefix operators, brackets, decorators). */
export const EXPRESSION_START = new Set(['ID', 'INT', 'FLOAT', 'STRING', 'true', 'false', 'inf', 'NaN', '(', '!', '~', '-', '@static', '@init']);

/** Tokens that start something else: the incomplete statement ends before them. */
const STARTS_OTHER = new Set(['}', '{', 'var', 'report', 'unshared', 'if', 'return', 'fn', 'use', 'PROBE_RULE']);

export function incompleteStatementMessage(word: string): string {
    return `Incomplete statement at \`${word}\`: a statement ends with \`;\``;
}

/**
 * The token the first incomplete expression statement starts at, when that is the first error reported at
 * that token (a later one there is the fallout of recovering from another mistake, such as a type name
 * being typed).
 */
export function incompleteStatement(errors: readonly IRecognitionException[]): IToken | undefined {
    const seen = new Set<number>();
    for (const e of errors) {
        const at = e.token?.startOffset;
        if (!seen.has(at) && isIncompleteStatement(e)) return e.token;
        seen.add(at);
    }
    return undefined;
}

export function isIncompleteStatement(e: IRecognitionException): boolean {
    const rule = e.context?.ruleStack?.at(-1)?.replace(/\u200b/g, '');
    const t = e.token;
    return e.name === 'NoViableAltException' && rule === 'Statement' && !!t && Number.isFinite(t.startOffset) && t.startOffset >= 0
        && EXPRESSION_START.has(t.tokenType?.name ?? '');
}

/**
 * The text with the incomplete statement starting at `start` blanked, and its error. The statement runs up
 * to a `}` or a token that starts another statement or item, or to the first `;` (included) or token on a
 * later line outside brackets.
 */
export function blankIncompleteStatement(text: string, tokens: readonly IToken[], start: IToken): { text: string; issue: GuardIssue } | undefined {
    const i0 = tokens.findIndex(t => t.startOffset === start.startOffset);
    if (i0 < 0) return undefined;
    let depth = 0;
    let end = start.endOffset! + 1;
    for (let i = i0 + 1; i < tokens.length; i++) {
        const t = tokens[i], prev = tokens[i - 1];
        const name = t.tokenType?.name ?? '';
        if (STARTS_OTHER.has(name) || (depth === 0 && (t.startLine ?? 0) > (prev.endLine ?? 0))) break;
        if (name === '(' || name === '[') depth++;
        else if (name === ')' || name === ']') { if (--depth < 0) break; }
        end = t.endOffset! + 1;
        if (name === ';' && depth === 0) break;
    }
    return {
        text: text.substring(0, start.startOffset) + blanked(text.substring(start.startOffset, end)) + text.substring(end),
        issue: { start: start.startOffset, end: start.endOffset! + 1, message: incompleteStatementMessage(start.image) },
    };
}
