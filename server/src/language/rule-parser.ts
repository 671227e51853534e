// Parses the text of one PROBE_RULE token (`wasm(local0: i32):opcode:call|br_if(arg0: i32):before`) into its
// parts, glob alternatives and type bounds. Every piece keeps its offset inside the rule text, so diagnostics
// and completion can point at the exact alternative or bound. The lexer has already checked the overall shape
// (name chars, balanced parentheses, at least one `:`); this parser never throws and reports what it cannot
// read as `problems`. Each alternative is compiled by the catalog's rule matcher (catalog/glob.ts).
import { compileGlob } from '../catalog/glob.js';

export type PartRole = 'provider' | 'package' | 'event' | 'mode';

/** Which role each part has, by the number of parts (`wasm:begin`, `wasm:func:entry`, `wasm:opcode:br:before`). */
export const ROLES_BY_COUNT: Record<number, PartRole[]> = {
    2: ['provider', 'package'],
    3: ['provider', 'package', 'event'],
    4: ['provider', 'package', 'event', 'mode'],
};

export interface Span { start: number; end: number }

/** One `|` alternative of a glob part, e.g. `*load*` in `*load*|*store*`. */
export interface GlobAlt extends Span {
    text: string;
    /** Anchored matcher; `undefined` when the text is a malformed glob (see problems). */
    regex: RegExp | undefined;
    /** True when the alternative contains a wildcard (`*`, `?`, `[...]`). */
    isPattern: boolean;
}

/** `arg0: i32` in `call(arg0: i32)`. */
export interface TypeBound extends Span {
    name: string;
    nameSpan: Span;
    type: string;
    typeSpan: Span;
}

export interface RulePart extends Span {
    role: PartRole | undefined;
    /** The glob text without the bounds (`call` in `call(arg0: i32)`); empty = matches everything. */
    glob: string;
    globSpan: Span;
    alternatives: GlobAlt[];
    bounds: TypeBound[];
    /** The parenthesised bound list including parentheses, if present. */
    boundsSpan?: Span;
}

export interface RuleProblem extends Span { message: string }

export interface ParsedRule {
    text: string;
    parts: RulePart[];
    problems: RuleProblem[];
}

const cache = new Map<string, ParsedRule>();

/** Parses a rule; results are cached by text (rules repeat across edits of the same document). */
export function parseRule(text: string): ParsedRule {
    let parsed = cache.get(text);
    if (!parsed) {
        parsed = parseRuleUncached(text);
        if (cache.size > 5000) cache.clear();
        cache.set(text, parsed);
    }
    return parsed;
}

function parseRuleUncached(text: string): ParsedRule {
    const problems: RuleProblem[] = [];
    const spans = splitTopLevel(text, ':');
    const roles = ROLES_BY_COUNT[spans.length];
    if (!roles) {
        problems.push({
            start: 0, end: text.length,
            message: spans.length < 2
                ? 'A probe rule needs at least two parts, e.g. `wasm:begin`'
                : `A probe rule has at most four parts (provider:package:event:mode), this one has ${spans.length}`,
        });
    }
    const parts = spans.map((span, i) => parsePart(text, span, roles?.[i], problems));
    return { text, parts, problems };
}

function parsePart(text: string, span: Span, role: PartRole | undefined, problems: RuleProblem[]): RulePart {
    const open = text.indexOf('(', span.start);
    const hasBounds = open >= 0 && open < span.end;
    const globEnd = hasBounds ? open : span.end;
    const glob = text.substring(span.start, globEnd);
    const part: RulePart = {
        start: span.start, end: span.end, role, glob,
        globSpan: { start: span.start, end: globEnd },
        alternatives: parseAlternatives(text, span.start, globEnd, problems),
        bounds: [],
    };
    if (hasBounds) {
        const close = text.lastIndexOf(')', span.end - 1);
        if (close < open) {
            problems.push({ start: open, end: span.end, message: 'Unclosed `(` in the type bounds' });
        } else {
            part.boundsSpan = { start: open, end: close + 1 };
            if (close + 1 !== span.end) {
                problems.push({ start: close + 1, end: span.end, message: 'Unexpected text after the type bounds' });
            }
            part.bounds = parseBounds(text, open + 1, close, problems);
        }
    }
    return part;
}

function parseAlternatives(text: string, start: number, end: number, problems: RuleProblem[]): GlobAlt[] {
    if (start === end) return [];
    const out: GlobAlt[] = [];
    for (const s of splitTopLevel(text.substring(start, end), '|')) {
        const altStart = start + s.start;
        const altEnd = start + s.end;
        const altText = text.substring(altStart, altEnd);
        if (altText.length === 0) {
            problems.push({ start: altStart, end: altEnd, message: 'Empty alternative in `|` list' });
            continue;
        }
        const compiled = compileGlob(altText);
        if (typeof compiled === 'string') problems.push({ start: altStart, end: altEnd, message: compiled });
        out.push({
            start: altStart, end: altEnd, text: altText,
            regex: typeof compiled === 'string' ? undefined : compiled,
            isPattern: /[*?[]/.test(altText),
        });
    }
    return out;
}

const BOUND = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

function parseBounds(text: string, start: number, end: number, problems: RuleProblem[]): TypeBound[] {
    const out: TypeBound[] = [];
    if (text.substring(start, end).trim() === '') return out;
    for (const s of splitTopLevel(text.substring(start, end), ',')) {
        const itemStart = start + s.start;
        const item = text.substring(itemStart, start + s.end);
        const m = BOUND.exec(item);
        if (!m) {
            const lead = item.length - item.trimStart().length;
            problems.push({
                start: itemStart + lead, end: itemStart + item.trimEnd().length || itemStart + 1,
                message: 'Expected a type bound `name: type`, e.g. `arg0: i32`',
            });
            continue;
        }
        const nameStart = itemStart + item.indexOf(m[1]);
        const typeStart = itemStart + item.lastIndexOf(m[2]);
        out.push({
            start: nameStart, end: typeStart + m[2].length,
            name: m[1], nameSpan: { start: nameStart, end: nameStart + m[1].length },
            type: m[2], typeSpan: { start: typeStart, end: typeStart + m[2].length },
        });
    }
    return out;
}

/** Splits on `sep` outside parentheses and brackets, returning spans relative to `text`. */
function splitTopLevel(text: string, sep: string): Span[] {
    const out: Span[] = [];
    let depth = 0;
    let bracket = false;
    let from = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '[' && depth === 0) bracket = true;
        else if (c === ']') bracket = false;
        else if (c === '(') depth++;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === sep && depth === 0 && !bracket) {
            out.push({ start: from, end: i });
            from = i + 1;
        }
    }
    out.push({ start: from, end: text.length });
    return out;
}
