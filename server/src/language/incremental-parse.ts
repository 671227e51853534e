// Incremental parsing of an edited script: only the top-level items an edit touches are parsed again.
// The text is cut at the top-level item boundaries the guard's scan finds (parse-guard.ts: a `;` or `}` at
// brace depth 0, aware of strings, comments and probe rules); each chunk holds one item and the comments
// and white space before it. A chunk that parses alone without any error parses the same way inside the
// whole script (the parser is back in the script's item loop after its last `;` or `}`), so its AST and CST
// are kept across edits, keyed by the chunk's text, and only moved to their new offsets.
// A chunk with errors is parsed together with the chunks after it (1, 2, 4... more) until the last chunk of
// the unit is parsed as a clean item of its own, starting at its boundary, with no error from it on: the
// parser has then recovered into the item loop, so what follows parses as it would in the whole script.
// The assembled parse result (AST, CST, lexer and parser errors) is the one a parse of the whole text gives;
// test/unit/incremental-parse.test.ts checks that over thousands of random edits.
import type { AstNode, CstNode, LangiumParser, ParseResult } from 'langium';
import type { ILexingError, IRecognitionException, IToken } from 'chevrotain';
import { guardText, MAX_SCRIPT_LENGTH, type ItemSpan } from './parse-guard.js';
import type { Script } from './generated/ast.js';

/** The parse of one unit (one or more consecutive chunks), with its CST currently placed at `base`. */
interface Unit {
    text: string;
    chunks: number;
    /** Length of the first chunk (the key under which a unit of several chunks is looked up). */
    firstLength: number;
    /** A unit of several chunks that ends the script without the parser having recovered before its end. */
    endsScript: boolean;
    clean: boolean;
    items: AstNode[];
    content: CstNode[];
    /** Lexer and parser errors relative to the unit's start (as the unit's own parse reported them). */
    lexerErrors: ILexingError[];
    parserErrors: IRecognitionException[];
    lexerDiagnostics: unknown[];
    /** The unit's CST nodes, flat (collected once per parse: moving a unit then visits no tree). */
    leaves: LeafFields[];
    composites: CompositeFields[];
    /** Where the unit's CST nodes currently are: offset, 0-based line and column of the unit's first character. */
    base: Position;
}

interface Position { offset: number; line: number; column: number }

/** The units of the last parse of one document. */
export interface IncrementalState {
    units: Unit[];
    /** Texts of the chunks that did not parse cleanly alone in the last parse (not parsed alone again). */
    unclean?: Set<string>;
}

export interface IncrementalStats {
    /** Chunks whose parse was reused, and parses run (of one chunk or of several). */
    reused: number;
    parsed: number;
}

/** Fields of Langium's CST nodes that placing a node elsewhere updates (see cst-node-builder.js). */
interface LeafFields { _offset: number; _startLine: number; _startColumn: number; _endLine: number; _endColumn: number }
interface CompositeFields { content: CstNode[]; _rangeCache: unknown; container?: CstNode }

/**
 * Parses `text` reusing the chunks of `state` (updated in place). Returns undefined (and clears the state)
 * where the whole text must be parsed at once: above the size limit, which the full parse reports.
 */
export function parseIncrementally(parser: LangiumParser, text: string, state: IncrementalState, stats?: IncrementalStats): ParseResult<Script> | undefined {
    if (text.length > MAX_SCRIPT_LENGTH) { state.units = []; return undefined; }
    const spans = chunkSpans(guardText(text).items, text.length);
    const single = new Map<string, Unit[]>();
    const joint = new Map<string, Unit[]>();
    for (const u of state.units) {
        const map = u.chunks === 1 ? single : joint;
        const key = u.text.substring(0, u.firstLength);
        const list = map.get(key);
        if (list) list.push(u); else map.set(key, [u]);
    }
    const take = (map: Map<string, Unit[]>, key: string, accept: (u: Unit) => boolean): Unit | undefined => {
        const list = map.get(key);
        const k = list ? list.findIndex(accept) : -1;
        return k < 0 ? undefined : list!.splice(k, 1)[0];
    };
    const parseUnit = (from: number, to: number, chunks: number): Unit => {
        if (stats) stats.parsed++;
        return unitOf(parser, text.substring(spans[from].start, spans[to].end), chunks, spans[from].end - spans[from].start);
    };
    /** The clean parse of chunk i alone, if it parses cleanly (cached across edits and within this parse). */
    const cleanAlone = new Map<number, Unit | null>();
    const wasUnclean = state.unclean ?? new Set<string>();
    const unclean = new Set<string>();
    const aloneOf = (i: number): Unit | undefined => {
        let u = cleanAlone.get(i);
        if (u === undefined) {
            const chunkText = text.substring(spans[i].start, spans[i].end);
            u = take(single, chunkText, x => x.clean) ?? null;
            if (u && stats) stats.reused++;
            if (!u && !wasUnclean.has(chunkText)) { const p = parseUnit(i, i, 1); u = p.clean ? p : null; }
            if (!u) unclean.add(chunkText);
            cleanAlone.set(i, u);
        }
        return u ?? undefined;
    };

    const units: Unit[] = [];
    for (let i = 0; i < spans.length;) {
        const chunkText = text.substring(spans[i].start, spans[i].end);
        const old = take(joint, chunkText, u => spans[i + u.chunks - 1]?.end === spans[i].start + u.text.length
            && text.startsWith(u.text, spans[i].start) && (!u.endsScript || i + u.chunks === spans.length));
        if (old) {
            if (stats) stats.reused += old.chunks;
            units.push(old); i += old.chunks; continue;
        }
        const alone = aloneOf(i);
        if (alone) { units.push(alone); i++; continue; }
        // Parse with the following chunks until the parser is back in the item loop.
        let step = 1;
        for (;;) {
            const m = Math.min(spans.length - 1, i + step);
            const u = parseUnit(i, m, m - i + 1);
            const recovered = m > i && recoveredAt(u, spans[m].start - spans[i].start, aloneOf(m));
            if (recovered || m === spans.length - 1) {
                u.endsScript = !recovered;
                units.push(u); i = m + 1; break;
            }
            step *= 2;
        }
    }
    state.units = units;
    state.unclean = unclean;
    return assemble(text, units, spans);
}

/** The chunks: item i with the trivia before it; the last chunk also takes the trailing trivia. */
function chunkSpans(items: ItemSpan[], length: number): ItemSpan[] {
    if (items.length === 0) return [{ start: 0, end: length }];
    const spans: ItemSpan[] = [];
    let from = 0;
    for (const it of items) { spans.push({ start: from, end: it.end }); from = it.end; }
    spans[spans.length - 1].end = length;
    return spans;
}

/** Langium's root CST node class (not exported by the package), taken from the first parse. */
let rootClass: (new (input: string) => CstNode) | undefined;

function unitOf(parser: LangiumParser, text: string, chunks: number, firstLength: number): Unit {
    const r = parser.parse<Script>(text);
    const root = r.value.$cstNode as unknown as CompositeFields | undefined;
    if (root) rootClass ??= root.constructor as new (input: string) => CstNode;
    const lexerDiagnostics = (r as { lexerReport?: { diagnostics?: unknown[] } }).lexerReport?.diagnostics ?? [];
    const leaves: LeafFields[] = [];
    const composites: CompositeFields[] = [];
    const stack: CstNode[] = root ? [...root.content] : [];
    while (stack.length > 0) {
        const node = stack.pop()!;
        const composite = node as unknown as CompositeFields;
        if (Array.isArray(composite.content)) {
            composites.push(composite);
            for (const c of composite.content) stack.push(c);
        } else leaves.push(node as unknown as LeafFields);
    }
    return {
        text, chunks, firstLength, endsScript: false,
        clean: r.lexerErrors.length === 0 && r.parserErrors.length === 0 && lexerDiagnostics.length === 0,
        items: r.value.items ?? [],
        content: root ? root.content : [],
        lexerErrors: r.lexerErrors, parserErrors: r.parserErrors, lexerDiagnostics, leaves, composites,
        base: { offset: 0, line: 0, column: 0 },
    };
}

/**
 * True when the last chunk of a joint unit (starting at `lastStart` in it) parsed as the clean item it is
 * alone, from its first token to its end, and no error was reported from its start on.
 */
function recoveredAt(u: Unit, lastStart: number, alone: Unit | undefined): boolean {
    if (!alone || alone.items.length !== 1) return false;
    const last = u.items[u.items.length - 1]?.$cstNode;
    const own = alone.items[0].$cstNode!;
    if (!last || last.offset !== lastStart + own.offset - alone.base.offset || last.end !== lastStart + own.end - alone.base.offset) return false;
    if (u.lexerDiagnostics.length > 0) return false;
    if (u.lexerErrors.some(e => e.offset >= lastStart)) return false;
    return !u.parserErrors.some(e => errorOffset(e) === undefined || errorOffset(e)! >= lastStart);
}

function errorOffset(e: IRecognitionException): number | undefined {
    const t = validToken(e.token) ?? validToken((e as { previousToken?: IToken }).previousToken);
    return t?.startOffset;
}

function validToken(t: IToken | undefined): IToken | undefined {
    return t && Number.isFinite(t.startOffset) && t.startOffset >= 0 && Number.isFinite(t.startLine) ? t : undefined;
}

/** The script of all units, placed at their offsets in `text`, with their errors translated. */
function assemble(text: string, units: Unit[], spans: ItemSpan[]): ParseResult<Script> {
    const Root = rootClass;
    const lexerErrors: ILexingError[] = [];
    const parserErrors: IRecognitionException[] = [];
    const lexerDiagnostics: unknown[] = [];
    const script = { $type: 'Script', items: [] as AstNode[] } as unknown as Script & { $cstNode?: CstNode };
    const content: CstNode[] = [];
    let chunk = 0;
    let pos: Position = { offset: 0, line: 0, column: 0 };
    for (const u of units) {
        const start = spans[chunk].start;
        pos = advance(text, pos, start);
        if (u.base.offset !== pos.offset || u.base.line !== pos.line || u.base.column !== pos.column) {
            move(u, pos);
        }
        for (const item of u.items) {
            const node = item as { $container?: AstNode; $containerProperty?: string; $containerIndex?: number };
            node.$container = script;
            node.$containerProperty = 'items';
            node.$containerIndex = script.items.length;
            (script.items as AstNode[]).push(item);
        }
        for (const c of u.content) content.push(c);
        for (const e of u.lexerErrors) lexerErrors.push(placeLexing(e, pos));
        for (const e of u.parserErrors) parserErrors.push(placeRecognition(e, pos));
        for (const d of u.lexerDiagnostics) lexerDiagnostics.push(placeLexing(d as ILexingError, pos));
        chunk += u.chunks;
    }
    if (Root) {
        const root = new Root(text) as CstNode & CompositeFields & { astNode: AstNode };
        root.content = content;
        for (const c of content) (c as unknown as CompositeFields).container = root;
        root.astNode = script;
        script.$cstNode = root;
    }
    return { value: script, lexerErrors, parserErrors, lexerReport: { diagnostics: lexerDiagnostics } } as unknown as ParseResult<Script>;
}

/** The position of `offset`, counting lines from `from` (offsets only grow). */
function advance(text: string, from: Position, offset: number): Position {
    let line = from.line;
    let lineStart = from.offset - from.column;
    for (let i = text.indexOf('\n', from.offset); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
    return { offset, line, column: offset - lineStart };
}

/** Moves every CST node of a unit from its current base to `to`. */
function move(u: Unit, to: Position): void {
    const from = u.base;
    const dOffset = to.offset - from.offset;
    const dLine = to.line - from.line;
    const dColumn = to.column - from.column;
    for (const c of u.composites) c._rangeCache = undefined;
    const first = from.line;
    for (const leaf of u.leaves) {
        leaf._offset += dOffset;
        if (dColumn !== 0) {
            if (leaf._startLine === first) leaf._startColumn += dColumn;
            if (leaf._endLine === first) leaf._endColumn += dColumn;
        }
        if (dLine !== 0) {
            leaf._startLine += dLine;
            leaf._endLine += dLine;
        }
    }
    u.base = to;
}

/** A lexer error of a unit parsed alone, placed at the unit's position `at` (Chevrotain's lines and columns are 1-based). */
function placeLexing(e: ILexingError, at: Position): ILexingError {
    // Chevrotain's message names the offset in the text it lexed.
    e = { ...e, message: e.message.replace(/(at offset: )(\d+)/, (_m, p: string, n: string) => p + (Number(n) + at.offset)) };
    if (e.line === undefined || e.column === undefined) return { ...e, offset: e.offset + at.offset };
    return { ...e, offset: e.offset + at.offset, column: e.line === 1 ? e.column + at.column : e.column, line: e.line + at.line };
}

function placeRecognition(e: IRecognitionException, at: Position): IRecognitionException {
    // Chevrotain's exceptions are Error objects: their message is not an enumerable own property.
    const placed = Object.assign(Object.create(Object.getPrototypeOf(e)) as object, e,
        { name: e.name, message: e.message, token: placeToken(e.token, at) }) as IRecognitionException & { previousToken?: IToken };
    const prev = (e as { previousToken?: IToken }).previousToken;
    if (prev) placed.previousToken = placeToken(prev, at);
    return placed;
}

function placeToken(t: IToken, at: Position): IToken {
    if (!t || !Number.isFinite(t.startOffset) || t.startOffset < 0) return t;
    const placed = { ...t, startOffset: t.startOffset + at.offset };
    if (Number.isFinite(t.endOffset)) placed.endOffset = t.endOffset! + at.offset;
    if (Number.isFinite(t.startLine)) {
        placed.startColumn = t.startLine === 1 ? t.startColumn! + at.column : t.startColumn;
        placed.startLine = t.startLine! + at.line;
    }
    if (Number.isFinite(t.endLine)) {
        placed.endColumn = t.endLine === 1 ? t.endColumn! + at.column : t.endColumn;
        placed.endLine = t.endLine! + at.line;
    }
    return placed;
}
