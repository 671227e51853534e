// A reader for the S-expression syntax of .wast scripts. It keeps each node's source span (so a module
// can be handed to wabt as the exact text the author wrote, and failures can name a line) and keeps the
// line comments too: the Whamm test format puts its directives (`;; @instrument`, `;; WHAMM --> ...`,
// `;; @passes_uninstr`) in comments.

export type SNode = SList | SAtom | SString;

interface Span { start: number; end: number; line: number }

export interface SList extends Span { kind: 'list'; items: SNode[] }
/** Keywords, numbers and `$identifiers`. */
export interface SAtom extends Span { kind: 'atom'; text: string }
/** A string literal; `bytes` holds its decoded contents (wast strings are byte strings). */
export interface SString extends Span { kind: 'string'; bytes: Uint8Array }

export interface LineComment { line: number; start: number; /** Text after the leading `;;`. */ text: string }

export interface ReadResult {
    forms: SNode[];
    comments: LineComment[];
}

export class SExprError extends Error {
    constructor(message: string, readonly line: number) { super(`line ${line}: ${message}`); }
}

const HEX = /^[0-9a-fA-F]$/;

function isAtomChar(c: string): boolean {
    return c > ' ' && c !== '(' && c !== ')' && c !== '"' && c !== ';' && c !== '\x7f';
}

/** Reads every top-level form of `text`. Throws SExprError on unbalanced parentheses or bad strings. */
export function readSExprs(text: string): ReadResult {
    const comments: LineComment[] = [];
    const forms: SNode[] = [];
    const stack: SList[] = [];
    let line = 1;
    let i = 0;
    const n = text.length;
    const push = (node: SNode) => { (stack.length ? stack[stack.length - 1].items : forms).push(node); };

    while (i < n) {
        const c = text[i];
        if (c === '\n') { line++; i++; continue; }
        if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
        if (c === ';' && text[i + 1] === ';') {
            let j = i + 2;
            while (j < n && text[j] !== '\n') j++;
            comments.push({ line, start: i, text: text.slice(i + 2, j).replace(/\r$/, '') });
            i = j;
            continue;
        }
        if (c === '(' && text[i + 1] === ';') {
            // Block comments nest.
            const startLine = line;
            let depth = 1;
            let j = i + 2;
            while (j < n && depth > 0) {
                if (text[j] === '(' && text[j + 1] === ';') { depth++; j += 2; }
                else if (text[j] === ';' && text[j + 1] === ')') { depth--; j += 2; }
                else { if (text[j] === '\n') line++; j++; }
            }
            if (depth > 0) throw new SExprError('unterminated block comment', startLine);
            i = j;
            continue;
        }
        if (c === '(') {
            stack.push({ kind: 'list', items: [], start: i, end: -1, line });
            i++;
            continue;
        }
        if (c === ')') {
            const top = stack.pop();
            if (!top) throw new SExprError('unexpected ")"', line);
            top.end = i + 1;
            push(top);
            i++;
            continue;
        }
        if (c === '"') {
            const startLine = line;
            const start = i;
            const bytes: number[] = [];
            i++;
            for (;;) {
                if (i >= n) throw new SExprError('unterminated string', startLine);
                const ch = text[i];
                if (ch === '"') { i++; break; }
                if (ch === '\n') throw new SExprError('newline in string', line);
                if (ch !== '\\') {
                    const cp = text.codePointAt(i)!;
                    pushUtf8(bytes, cp);
                    i += cp > 0xffff ? 2 : 1;
                    continue;
                }
                const e = text[i + 1];
                i += 2;
                switch (e) {
                    case 'n': bytes.push(10); break;
                    case 't': bytes.push(9); break;
                    case 'r': bytes.push(13); break;
                    case '"': bytes.push(34); break;
                    case '\'': bytes.push(39); break;
                    case '\\': bytes.push(92); break;
                    case 'u': {
                        const close = text.indexOf('}', i);
                        if (text[i] !== '{' || close < 0) throw new SExprError('bad \\u escape', line);
                        pushUtf8(bytes, parseInt(text.slice(i + 1, close).replace(/_/g, ''), 16));
                        i = close + 1;
                        break;
                    }
                    default:
                        if (e !== undefined && HEX.test(e) && HEX.test(text[i] ?? '')) {
                            bytes.push(parseInt(e + text[i], 16));
                            i++;
                        } else {
                            throw new SExprError(`bad escape \\${e ?? ''}`, line);
                        }
                }
            }
            push({ kind: 'string', bytes: Uint8Array.from(bytes), start, end: i, line: startLine });
            continue;
        }
        const start = i;
        while (i < n && isAtomChar(text[i])) i++;
        if (i === start) throw new SExprError(`unexpected character ${JSON.stringify(c)}`, line);
        push({ kind: 'atom', text: text.slice(start, i), start, end: i, line });
    }
    if (stack.length) throw new SExprError('unclosed "("', stack[stack.length - 1].line);
    return { forms, comments };
}

function pushUtf8(out: number[], cp: number): void {
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

export function head(node: SNode): string | undefined {
    return node.kind === 'list' && node.items[0]?.kind === 'atom' ? node.items[0].text : undefined;
}

export function stringText(node: SNode | undefined): string | undefined {
    return node?.kind === 'string' ? new TextDecoder().decode(node.bytes) : undefined;
}
