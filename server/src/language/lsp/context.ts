// Where the cursor is in a (possibly incomplete) script: inside a probe rule being typed, in a probe body or
// predicate, in a function, or at the top level. Computed from the text before the cursor plus the parsed
// AST, because editors ask while the document is broken (`wasm:opcode:` at the end of the file, `{` not
// closed yet).
import type { LangiumDocument } from 'langium';
import type { FnDef, Probe, Script } from '../generated/ast.js';

const RULE_CHAR = /[A-Za-z0-9_*?|.\[\]]/;

export interface RuleContext {
    kind: 'rule';
    /** Offset where the rule text starts. */
    start: number;
    /** Rule text from its start to the cursor. */
    text: string;
    /** Index of the part the cursor is in (0 provider, 1 package, 2 event, 3 mode). */
    partIndex: number;
    /** Offset where the current part (or `|` alternative) starts: completions replace from here. */
    replaceFrom: number;
    /** Globs of the parts before the current one (bounds removed). */
    previous: string[];
    /** Inside a `( ... )` type-bound list. */
    inBounds: boolean;
}

export interface CodeContext {
    kind: 'code';
    probe?: Probe;
    fn?: FnDef;
    /** The cursor follows `name.` (member completion) — the receiver's text. */
    memberOf?: string;
    /** The cursor is where a type is expected (`var x: `, `fn f(a: `, `-> `, `as `). */
    typePosition: boolean;
    /** Start of the word being typed. */
    wordStart: number;
    /** At the top level of the script (a new item could start here). */
    topLevel: boolean;
}

export type CursorContext = RuleContext | CodeContext;

/** True when a probe rule could start right after `before` (start of file, or after `;` / `}`). */
function ruleMayStartAfter(text: string, before: number): boolean {
    let i = before - 1;
    for (;;) {
        while (i >= 0 && /\s/.test(text[i])) i--;
        if (i < 0) return true;
        // Skip a line comment ending here, or a block comment.
        if (text[i] === '/' && text[i - 1] === '*') {
            const open = text.lastIndexOf('/*', i - 2);
            if (open < 0) return false;
            i = open - 1;
            continue;
        }
        const lineStart = text.lastIndexOf('\n', i) + 1;
        const comment = text.indexOf('//', lineStart);
        if (comment >= 0 && comment <= i && !inString(text.substring(lineStart, comment))) { i = comment - 1; continue; }
        return text[i] === ';' || text[i] === '}';
    }
}

function inString(prefix: string): boolean {
    let quotes = 0;
    for (let i = 0; i < prefix.length; i++) if (prefix[i] === '"' && prefix[i - 1] !== '\\') quotes++;
    return quotes % 2 === 1;
}

/** Scans back from the cursor over rule characters, `:` and bound lists; returns the rule context if any. */
function ruleContext(text: string, offset: number): RuleContext | undefined {
    let i = offset;
    let depth = 0;
    while (i > 0) {
        const c = text[i - 1];
        if (c === ')') depth++;
        else if (c === '(') depth = Math.max(0, depth - 1);
        else if (depth > 0) { if (c === '\n' || c === ';' || c === '{' || c === '}') return undefined; }
        else if (!RULE_CHAR.test(c) && c !== ':') {
            if (c === ' ' || c === ',' ) {
                // Spaces are only allowed inside a bound list: `call(arg0: i32, |`.
                const open = text.lastIndexOf('(', i - 1);
                const close = text.lastIndexOf(')', i - 1);
                const nl = text.lastIndexOf('\n', i - 1);
                if (open > close && open > nl) { i = open; continue; }
            }
            break;
        }
        i--;
    }
    const start = i;
    const ruleText = text.substring(start, offset);
    if (!ruleText.includes(':') || !/^[A-Za-z_*?\[]/.test(ruleText)) return undefined;
    if (!ruleMayStartAfter(text, start)) return undefined;
    // Split on top-level colons.
    const parts: string[] = [];
    let partStart = 0;
    let d = 0;
    for (let k = 0; k < ruleText.length; k++) {
        const c = ruleText[k];
        if (c === '(') d++;
        else if (c === ')') d--;
        else if (c === ':' && d === 0) { parts.push(ruleText.substring(partStart, k)); partStart = k + 1; }
    }
    const current = ruleText.substring(partStart);
    const inBounds = d > 0;
    const altStart = current.lastIndexOf('|') + 1;
    return {
        kind: 'rule', start, text: ruleText, partIndex: parts.length, previous: parts.map(p => p.replace(/\(.*$/s, '')),
        replaceFrom: start + partStart + (inBounds ? current.length : altStart), inBounds,
    };
}

export function cursorContext(document: LangiumDocument, offset: number): CursorContext {
    const text = document.textDocument.getText();
    const rule = ruleContext(text, offset);
    if (rule) return rule;
    const script = document.parseResult.value as Script;
    let wordStart = offset;
    while (wordStart > 0 && /[\w]/.test(text[wordStart - 1])) wordStart--;
    const before = text.substring(Math.max(0, wordStart - 200), wordStart);
    const member = /([A-Za-z_][\w]*|\))\s*\.\s*$/.exec(before);
    const typePosition = /(?:\bvar\s+[A-Za-z_]\w*\s*:[^;={}]*|\bfn\s+\w+\s*\([^{]*:[^,){]*|->\s*[^{]*|\bas\s+)$/.test(before);
    const { probe, fn } = enclosing(script, text, offset);
    return {
        kind: 'code', probe, fn, memberOf: member ? member[1] : undefined, typePosition, wordStart,
        topLevel: !probe && !fn,
    };
}

/** The probe or function whose body or predicate holds the cursor; tolerates an unclosed `{`. */
function enclosing(script: Script, text: string, offset: number): { probe?: Probe; fn?: FnDef } {
    let last: Probe | FnDef | undefined;
    for (const item of script.items) {
        const cst = item.$cstNode;
        if (!cst || cst.offset >= offset) break;
        if (item.$type === 'Probe' || item.$type === 'FnDef') last = item;
        else last = undefined;
    }
    if (!last?.$cstNode) return {};
    const cst = last.$cstNode;
    // Inside when the cursor is before the node's end, or the node's braces are not balanced yet.
    const inside = offset < cst.end || (offset === cst.end && !text.substring(cst.offset, cst.end).trimEnd().endsWith('}'))
        || braceDepth(text, cst.offset, offset) > 0;
    if (!inside) return {};
    const predicateOrBody = last.$type === 'Probe' ? offset > cst.offset + (last.rule?.length ?? 0) : true;
    if (!predicateOrBody) return {};
    return last.$type === 'Probe' ? { probe: last } : { fn: last };
}

function braceDepth(text: string, from: number, to: number): number {
    let depth = 0;
    let inStr = false;
    for (let i = from; i < to; i++) {
        const c = text[i];
        if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
        if (c === '"') inStr = true;
        else if (c === '/' && text[i + 1] === '/') { const nl = text.indexOf('\n', i); if (nl < 0) break; i = nl; }
        else if (c === '{') depth++;
        else if (c === '}') depth--;
    }
    return depth;
}
