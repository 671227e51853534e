// Bounds on what the parser and everything after it (checker, outline, semantic tokens, formatter) may see.
// The generated parser is recursive descent: every `(`, `{`, prefix operator, `?:` or `else if` costs it
// stack, and the checker and the editor features walk the resulting tree recursively. Instead of trusting
// every walk to be iterative, the text is scanned once before parsing (a linear, non-recursive scan that
// knows strings, comments and probe rules): a top-level item that nests deeper than MAX_NESTING or holds a
// statement with more than MAX_CHAIN operators is blanked out (replaced by spaces, so every other offset
// stays valid) and reported as "nesting too deep" on that item. Everything downstream only ever sees trees of
// bounded depth; the rest of the script is still parsed and checked.
import { endsOperand, matchBlockComment, matchProbeRule, ruleAfterUnfinished, stringEnd } from './whamm-token-builder.js';

/** Bracket/block/prefix-operator/`?:`/`else if` levels at any point of the script. */
export const MAX_NESTING = 40;
/** Longer scripts are not parsed at all (time and memory grow with the text; real scripts are far smaller). */
export const MAX_SCRIPT_LENGTH = 1 << 20;
/** Operators (binary, `.`, `[`, `as`) in one statement, predicate or declaration: bounds left-nested chains. */
export const MAX_CHAIN = 400;

export interface GuardIssue {
    /** Offsets of the token where the limit was exceeded (end exclusive). */
    start: number;
    end: number;
    message: string;
}

export interface ItemSpan { start: number; end: number }

export interface GuardResult {
    /** The text the parser gets: `text` with the items that exceed a limit blanked out (empty when the whole script is too large). */
    text: string;
    issues: GuardIssue[];
    /** The top-level items found by the scan (offsets into the text), in order. */
    items: ItemSpan[];
}

interface ParenFrame { ternaries: number; prefixRun: number }
interface BraceFrame { elseIfs: number }

const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isWordChar = (c: number) => isWordStart(c) || (c >= 48 && c <= 57);
const NUMBER = /0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?/y;
const OPERATOR_CHARS = '+-*/%<>=!&|^~?.[';

/** Scans `text` (linear time, no recursion) and blanks the items that exceed the nesting limits. */
export function guardText(text: string): GuardResult {
    if (text.length > MAX_SCRIPT_LENGTH) {
        const mb = (text.length / (1 << 20)).toFixed(1);
        return {
            text: '', items: [],
            issues: [{ start: 0, end: Math.min(1, text.length), message: `Script too large: ${mb} MB; scripts of up to 1 MB are analysed. Split it into several scripts.` }],
        };
    }
    const issues: GuardIssue[] = [];
    const items: ItemSpan[] = [];
    const bad: Array<{ item: number; issue: GuardIssue }> = [];
    // braces[0] is the top level (an `if` there can carry an `else if` chain too).
    const braces: BraceFrame[] = [{ elseIfs: 0 }];
    // Open paren frames are parens[0 .. depth); the frames are reused (a scan allocates next to nothing).
    const parens: ParenFrame[] = [{ ternaries: 0, prefixRun: 0 }];
    let depth = 1;
    let chain = 0;
    let elseIfSum = 0;
    let parenSum = 0; // sum over open paren frames of (1 + ternaries + prefixRun), outermost frame without the 1
    let itemStart = -1;
    let itemFlagged = false;
    let prev = ''; // previous significant token ('' at the start of an item)
    // The previous word, as a range of the text (a substring per word was most of what a scan allocated).
    let prevWordStart = 0;
    let prevWordEnd = 0;
    const prevWord = () => text.substring(prevWordStart, prevWordEnd);

    const nesting = () => braces.length - 1 + elseIfSum + parenSum;
    const flag = (start: number, end: number, message: string) => {
        if (itemFlagged || itemStart < 0) return;
        itemFlagged = true;
        bad.push({ item: items.length, issue: { start, end: Math.max(end, start + 1), message } });
    };
    const checkNesting = (start: number, end: number) => {
        if (nesting() > MAX_NESTING) {
            flag(start, end, `Nesting too deep: more than ${MAX_NESTING} levels of blocks, brackets, prefix operators, \`?:\` or \`else if\`. Split this into smaller expressions, variables or functions.`);
        }
    };
    const resetStatement = () => {
        chain = 0;
        depth = 1;
        parens[0].ternaries = 0;
        parens[0].prefixRun = 0;
        parenSum = 0;
    };
    const endItem = (end: number) => {
        if (itemStart >= 0) items.push({ start: itemStart, end });
        itemStart = -1;
        itemFlagged = false;
        elseIfSum -= braces[0].elseIfs;
        braces[0].elseIfs = 0;
        resetStatement();
        prev = '';
    };
    const beginToken = (at: number) => {
        if (itemStart < 0) itemStart = at;
    };

    let i = 0;
    const n = text.length;
    while (i < n) {
        const c = text[i];
        const code = text.charCodeAt(i);
        if (code === 32 || code === 10 || code === 9 || code === 13 || (code > 127 || code === 11 || code === 12) && /\s/.test(c)) { i++; continue; }
        if (c === '/' && text[i + 1] === '/') {
            const nl = text.indexOf('\n', i);
            i = nl < 0 ? n : nl + 1;
            continue;
        }
        if (c === '/' && text[i + 1] === '*') {
            i += matchBlockComment(text, i)![0].length;
            continue;
        }
        beginToken(i);
        if (c === '"') {
            const end = stringEnd(text, i);
            // An unterminated string is a lexer error on the quote alone; the lexer goes on after it.
            i = end < 0 ? i + 1 : end;
            endPrefixRun();
            prev = 'value';
            continue;
        }
        // A probe rule is one token wherever a top-level item may start.
        // (Only at the top level: the check allocates.)
        const unfinished = braces.length === 1 && (prev === 'value' || (prev === 'word' && endsOperand(prevWord())))
            && ruleAfterUnfinished(text, i, prev === 'word' ? prevWord() : ')');
        if (braces.length === 1 && (prev === '' || prev === ';' || prev === '}' || unfinished)) {
            const rule = matchProbeRule(text, i, prev === '' ? [] : [{ image: unfinished ? (prev === 'word' ? prevWord() : ')') : prev } as never]);
            if (rule) { i += rule[0].length; prev = 'rule'; continue; }
        }
        if (isWordStart(code)) {
            let j = i + 1;
            while (j < n && isWordChar(text.charCodeAt(j))) j++;
            if (wordIs(text, i, j, 'if')) {
                const frame = braces[braces.length - 1];
                if (prev === 'word' && wordIs(text, prevWordStart, prevWordEnd, 'else')) { frame.elseIfs++; elseIfSum++; checkNesting(i, j); }
                else { elseIfSum -= frame.elseIfs; frame.elseIfs = 0; }
            } else if (wordIs(text, i, j, 'map')) {
                // `map<K, map<...>>`: each map type is a level of the type parser.
                parens[depth - 1].ternaries++; parenSum++; checkNesting(i, j);
            } else if (wordIs(text, i, j, 'as')) {
                bumpChain(i, j);
            }
            endPrefixRun();
            prev = 'word';
            prevWordStart = i;
            prevWordEnd = j;
            i = j;
            continue;
        }
        if (c >= '0' && c <= '9') {
            NUMBER.lastIndex = i;
            NUMBER.test(text);
            const j = Math.max(i + 1, NUMBER.lastIndex);
            endPrefixRun();
            prev = 'value';
            i = j;
            continue;
        }
        switch (c) {
            case '{':
                braces.push({ elseIfs: 0 });
                resetStatement();
                checkNesting(i, i + 1);
                prev = '{';
                break;
            case '}': {
                if (braces.length > 1) elseIfSum -= braces.pop()!.elseIfs;
                resetStatement();
                prev = '}';
                // `if (c) { } else { }` and `elif` continue the same top-level item.
                if (braces.length === 1) {
                    const next = skipTrivia(text, i + 1);
                    if (!/^(?:else|elif)\b/.test(text.substring(next, next + 5))) endItem(i + 1);
                }
                break;
            }
            case ';':
                resetStatement();
                prev = ';';
                if (braces.length === 1) endItem(i + 1);
                break;
            case '(': case '[':
                if (c === '[') bumpChain(i, i + 1);
                if (depth === parens.length) parens.push({ ternaries: 0, prefixRun: 0 });
                else { parens[depth].ternaries = 0; parens[depth].prefixRun = 0; }
                depth++;
                parenSum++;
                checkNesting(i, i + 1);
                prev = c;
                break;
            case ')': case ']':
                if (depth > 1) {
                    const frame = parens[--depth];
                    parenSum -= 1 + frame.ternaries + frame.prefixRun;
                }
                prev = 'value';
                break;
            case ',':
                endPrefixRun();
                prev = ',';
                break;
            case '@': {
                // `@static` / `@init` decorate a call: a prefix level.
                let j = i + 1;
                while (j < n && isWordChar(text.charCodeAt(j))) j++;
                addPrefix(i, j);
                prev = '@';
                i = j;
                continue;
            }
            default:
                if (OPERATOR_CHARS.includes(c)) {
                    const prefixPosition = prev !== 'value' && prev !== 'word' && prev !== 'rule';
                    if ((c === '!' || c === '~' || c === '-') && prefixPosition) {
                        addPrefix(i, i + 1);
                    } else {
                        endPrefixRun();
                        bumpChain(i, i + 1);
                        if (c === '?') { parens[depth - 1].ternaries++; parenSum++; checkNesting(i, i + 1); }
                    }
                    prev = c === '.' ? '.' : 'op';
                } else {
                    prev = 'op';
                }
        }
        i++;
    }
    if (itemStart >= 0) endItem(n);

    function addPrefix(start: number, end: number): void {
        parens[depth - 1].prefixRun++;
        parenSum++;
        checkNesting(start, end);
    }
    function bumpChain(start: number, end: number): void {
        if (++chain > MAX_CHAIN) {
            flag(start, end, `Expression too long: more than ${MAX_CHAIN} operators in one statement. Split it over several statements or variables.`);
        }
    }
    function endPrefixRun(): void {
        const frame = parens[depth - 1];
        parenSum -= frame.prefixRun;
        frame.prefixRun = 0;
    }

    if (bad.length === 0) return { text, issues, items };
    let out = '';
    let from = 0;
    for (const { item, issue } of bad) {
        issues.push(issue);
        const span = items[item];
        if (!span) continue;
        out += text.substring(from, span.start) + blanked(text.substring(span.start, span.end));
        from = span.end;
    }
    return { text: out + text.substring(from), issues, items };
}

/** `text[start, end)` is `word`. */
function wordIs(text: string, start: number, end: number, word: string): boolean {
    return end - start === word.length && text.startsWith(word, start);
}

/** Offset of the first character at or after `from` that is not white space or a comment. */
function skipTrivia(text: string, from: number): number {
    let i = from;
    while (i < text.length) {
        if (/\s/.test(text[i])) i++;
        else if (text.startsWith('//', i)) { const nl = text.indexOf('\n', i); i = nl < 0 ? text.length : nl + 1; }
        else if (text.startsWith('/*', i)) i += matchBlockComment(text, i)![0].length;
        else break;
    }
    return i;
}

/** The text with every character but line breaks replaced by a space (lines and offsets do not move). */
export function blanked(text: string): string {
    return text.replace(/[^\r\n]/g, ' ');
}
