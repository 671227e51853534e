// The parser every caller gets (language server, CLI, engine, tests): Langium's generated parser behind two
// guards, so that no text can make parsing throw.
// 1. parse-guard.ts blanks the top-level items that nest deeper than the parser and the tree walks after it
//    can take, and reports "nesting too deep" there.
// 2. Chevrotain's error recovery can leave Langium's node stack inconsistent on some broken inputs
//    (`x =+;` in a probe body threw "Cannot read properties of undefined"). When a parse throws, the
//    top-level item where the parser stood is blanked and the rest is parsed again with recovery, so the
//    other items keep their diagnostics, completion and outline; the blanked item's first syntax error
//    comes from parsing it alone without recovery.
// 3. A statement that starts like an expression but fits no statement is blanked and the script parsed
//    again (incomplete-statements.ts), so that the items after it are not lost.
// 4. A word where a type is expected (a type name being typed) is lexed as a type keyword and the script
//    parsed again (partial-types.ts), for the same reason.
import { createLangiumParser, type AstNode, type LangiumCoreServices, type LangiumParser, type ParseResult, type ParserOptions } from 'langium';
import type { ILexingError, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { blankIncompleteStatement, incompleteStatement } from './incomplete-statements.js';
import { partialTypeMessage, partialTypeWord, retypeTokens, withoutUnfinished } from './partial-types.js';
import { blanked, guardText, type GuardIssue, type ItemSpan } from './parse-guard.js';

/** The fields of Langium's and Chevrotain's parser state that a thrown parse leaves behind. */
interface ParserInternals {
    stack: unknown[];
    wrapper: { recoveryEnabled: boolean; currIdx: number; tokVector?: IToken[] };
    lexer: Lexer;
}

interface Lexer {
    definition: Record<string, TokenType>;
    tokenize(text: string, options?: unknown): { tokens: IToken[]; errors: ILexingError[] };
}

const MAX_RETRIES = 8;

export function createWhammParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    const parse = parser.parse.bind(parser);
    parser.parse = <T extends AstNode = AstNode>(input: string, options?: ParserOptions): ParseResult<T> =>
        guardedParse(parser, parse, input, options) as ParseResult<T>;
    return parser;
}

type Parse = (input: string, options?: ParserOptions) => ParseResult;

function guardedParse(parser: LangiumParser, parse: Parse, input: string, options?: ParserOptions): ParseResult {
    const internals = parser as unknown as ParserInternals;
    const guard = guardText(input);
    const issues: GuardIssue[] = [...guard.issues];
    let text = guard.text;
    let crash: { at?: number } = {};
    let result = attempt(internals, parse, text, options, crash);
    for (let retry = 0; !result && retry < MAX_RETRIES; retry++) {
        const span = crash.at !== undefined ? itemAt(guard.items, crash.at) : undefined;
        if (!span) break;
        const alone = blanked(text.substring(0, span.start)) + text.substring(span.start, span.end) + blanked(text.substring(span.end));
        issues.push(firstError(internals, parse, alone, options)
            ?? { start: span.start, end: Math.min(span.end, span.start + 1), message: 'Syntax error in this item' });
        text = text.substring(0, span.start) + blanked(text.substring(span.start, span.end)) + text.substring(span.end);
        crash = {};
        result = attempt(internals, parse, text, options, crash);
    }
    // An incomplete statement or a partly typed type name would end the parse there: the statement blanked,
    // the word lexed as a type, the items after them are parsed too.
    const types = new Set<number>();
    for (let n = 0; result && n < MAX_RETRIES; n++) {
        const at = incompleteStatement(result.parserErrors);
        if (at) {
            const fixed = blankIncompleteStatement(text, internals.wrapper.tokVector ?? [], at);
            const again = fixed && attempt(internals, parse, fixed.text, options, {}, types);
            if (!fixed || !again) break;
            text = fixed.text;
            result = again;
            issues.push(fixed.issue);
            continue;
        }
        const word = partialTypeWord(result.parserErrors, types);
        if (!word) break;
        const again = attempt(internals, parse, text, options, {}, new Set([...types, word.startOffset]));
        if (!again) break;
        types.add(word.startOffset);
        result = again;
        issues.push({ start: word.startOffset, end: word.endOffset! + 1, message: partialTypeMessage(word.image) });
    }
    if (result && types.size > 0) result.parserErrors = withoutUnfinished(result.parserErrors, types);
    if (!result) {
        // Nothing to isolate: an empty script (of the same line structure) with one error at the start.
        result = parse(blanked(input), options);
        issues.push({ start: 0, end: Math.min(1, input.length), message: 'The parser failed on this script; no item could be isolated' });
    }
    for (const issue of issues) result.parserErrors.push(recognitionError(input, issue));
    return result;
}

/** A parse of `text`; `types`: the offsets of words to lex as a type keyword (see partial-types.ts). */
function attempt(internals: ParserInternals, parse: Parse, text: string, options: ParserOptions | undefined, crash: { at?: number }, types?: ReadonlySet<number>): ParseResult | undefined {
    const lexer = internals.lexer;
    const own = Object.prototype.hasOwnProperty.call(lexer, 'tokenize');
    const tokenize = lexer.tokenize;
    if (types?.size) {
        const as = lexer.definition['u32'];
        lexer.tokenize = (t, o) => { const r = tokenize.call(lexer, t, o); return { ...r, tokens: retypeTokens(r.tokens, types, as) }; };
    }
    try {
        return parse(text, options);
    } catch {
        const tokens = internals.wrapper.tokVector ?? [];
        const token = tokens[Math.min(tokens.length - 1, Math.max(0, internals.wrapper.currIdx))];
        crash.at = token && Number.isFinite(token.startOffset) ? token.startOffset : undefined;
        internals.stack = [];
        return undefined;
    } finally {
        if (own) lexer.tokenize = tokenize;
        else delete (lexer as Partial<Lexer>).tokenize;
    }
}

/** The first syntax error of `text` as a parse without error recovery reports it. */
function firstError(internals: ParserInternals, parse: Parse, text: string, options?: ParserOptions): GuardIssue | undefined {
    const wrapper = internals.wrapper;
    wrapper.recoveryEnabled = false;
    try {
        const r = parse(text, options);
        const e = r.parserErrors[0] as IRecognitionException | undefined;
        if (!e) return undefined;
        const token = validToken(e.token) ?? validToken((e as { previousToken?: IToken }).previousToken);
        const start = token ? token.startOffset : Math.max(0, text.trimEnd().length - 1);
        const end = token ? token.endOffset! + 1 : start + 1;
        return { start, end, message: e.message };
    } catch {
        internals.stack = [];
        return undefined;
    } finally {
        wrapper.recoveryEnabled = true;
    }
}

function validToken(t: IToken | undefined): IToken | undefined {
    return t && Number.isFinite(t.startOffset) && t.startOffset >= 0 && Number.isFinite(t.endOffset) ? t : undefined;
}

function itemAt(items: ItemSpan[], offset: number): ItemSpan | undefined {
    let found: ItemSpan | undefined;
    for (const s of items) {
        if (s.start > offset) break;
        found = s;
    }
    return found;
}

/** A Chevrotain recognition error for `issue`, so Langium reports it like any syntax error. */
function recognitionError(text: string, issue: GuardIssue): IRecognitionException {
    const start = lineCol(text, issue.start);
    const last = lineCol(text, Math.max(issue.start, issue.end - 1));
    const token = {
        image: text.substring(issue.start, issue.end), startOffset: issue.start, endOffset: Math.max(issue.start, issue.end - 1),
        startLine: start.line, startColumn: start.column, endLine: last.line, endColumn: last.column,
        tokenTypeIdx: 0, tokenType: undefined as never,
    } as IToken;
    return { name: 'NestingError', message: issue.message, token, resyncedTokens: [], context: { ruleStack: [], ruleOccurrenceStack: [] } };
}

/** 1-based line and column of an offset, as Chevrotain tokens carry them. */
function lineCol(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
    return { line, column: offset - lineStart + 1 };
}
