// Diagnostics of a document: Langium's lexer and parser errors (with Chevrotain's recovery, so one typo
// does not hide the rest) plus the front-end checker's. Langium's own "Could not resolve reference" errors
// are dropped: bound variables and built-ins are not AST nodes, so the checker resolves names itself and
// reports the unresolved ones with its own messages.
import { AstUtils, DefaultDocumentValidator, type AstNode, type LangiumDocument, type ValidationOptions } from 'langium';
import type { IRecognitionException, IToken } from 'chevrotain';
import type { CancellationToken } from 'vscode-languageserver';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Script } from './generated/ast.js';
import { checkScript, failedCheck, type CheckResult } from '../frontend/checker.js';
import { incompleteStatementMessage, isIncompleteStatement } from './incomplete-statements.js';
import { buildFailure } from './whamm-document-builder.js';
import { isEditedScript } from './whamm-document-factory.js';
import { IncrementalChecker, type IncrementalCheckStats } from '../frontend/check-incremental.js';

const results = new WeakMap<AstNode, CheckResult>();
/** The incremental checker of each document the editor edits (see frontend/check-incremental.ts). */
const incremental = new WeakMap<LangiumDocument, IncrementalChecker>();

/**
 * The checker's result for a parsed script, computed once per parse (the script node is new on every edit).
 * A document the editor edits is checked incrementally: only the items an edit affected are checked again.
 */
export function checkResultOf(script: Script): CheckResult {
    let r = results.get(script);
    if (!r) {
        const doc = script.$document;
        try {
            if (doc && isEditedScript(script)) {
                let checker = incremental.get(doc);
                if (!checker) { checker = new IncrementalChecker(); incremental.set(doc, checker); }
                r = checker.check(script);
            } else {
                r = checkScript(script);
            }
        } catch (e) {
            // A checker bug must not take completion, hover and the other diagnostics down with it, and
            // must not let an unchecked script through (the CLI would instrument it): it is an error here.
            console.error('whamm checker failed:', e);
            if (doc) incremental.delete(doc);
            r = failedCheck(e);
        }
        results.set(script, r);
    }
    return r;
}

/** What the last incremental check of a document re-checked and reused (for tests and the benchmark). */
export function incrementalCheckStats(doc: LangiumDocument): IncrementalCheckStats | undefined {
    return incremental.get(doc)?.stats;
}

/** The checker's result for a script if it was already computed (never runs the checker). */
export function cachedCheckResult(script: Script): CheckResult | undefined {
    return results.get(script);
}

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

export class WhammDocumentValidator extends DefaultDocumentValidator {
    protected override processLinkingErrors(): void {
        // Reported by the checker (see the header comment).
    }

    protected override processParsingErrors(parseResult: LangiumDocument['parseResult'], diagnostics: Diagnostic[], options: ValidationOptions): void {
        const from = diagnostics.length;
        super.processParsingErrors({ ...parseResult, parserErrors: condenseParserErrors(parseResult.parserErrors) }, diagnostics, options);
        for (let i = from; i < diagnostics.length; i++) { const d = diagnostics[i]; if (typeof d.message === 'string') d.message = friendlyParseMessage(d.message); }
    }

    /** No Langium-registered checks exist (the checker does all semantic validation), so skip the walk. */
    protected override async validateAstNodes(): Promise<void> {
        // intentionally empty
    }

    protected override async validateAst(rootNode: AstNode, options: ValidationOptions, cancelToken?: CancellationToken): Promise<Diagnostic[]> {
        // Let requests that arrived during the parse (completion right after an edit) answer first: they
        // need the parsed document, not the whole script's check.
        await new Promise<void>(resolve => setImmediate(resolve));
        const out = await super.validateAst(rootNode, options, cancelToken);
        const doc = AstUtils.getDocument(rootNode);
        const result = checkResultOf(rootNode as Script);
        const failure = buildFailure(doc);
        if (failure) out.push(failure);
        const text = doc.textDocument.getText();
        const open = unterminatedComment(text);
        if (open !== undefined) {
            out.push({
                range: { start: doc.textDocument.positionAt(open), end: doc.textDocument.positionAt(open + 2) },
                severity: 1, message: 'Unterminated block comment: add `*/` (block comments nest)', source: 'whamm', code: 'unterminated-comment',
            });
        }
        for (const d of result.diagnostics) {
            out.push({
                range: { start: doc.textDocument.positionAt(d.start), end: doc.textDocument.positionAt(d.end) },
                severity: SEVERITY[d.severity], message: d.message, source: 'whamm', code: d.code,
                ...(d.unnecessary ? { tags: [1] } : {}),
            });
        }
        return out;
    }
}

/**
 * One syntax error per place. Chevrotain's recovery reports a word it cannot fit once per rule it unwinds
 * (the statement, the block expecting `}`, the top-level item again, "end of file"), all at that word: only
 * the first is kept. A statement that starts like an expression but does not go on (a partly typed word,
 * a call without `;`; the parser's wrapper blanks those it can) is said so, instead of listing the keywords
 * a statement may start with.
 */
export function condenseParserErrors(errors: readonly IRecognitionException[]): IRecognitionException[] {
    const seen = new Set<string>();
    const out: IRecognitionException[] = [];
    for (const e of errors) {
        const t = e.token;
        const prev = (e as { previousToken?: IToken }).previousToken;
        const key = Number.isFinite(t?.startOffset) && t.startOffset >= 0 ? `at ${t.startOffset}`
            : Number.isFinite(prev?.endOffset) ? `after ${prev!.endOffset}` : `message ${e.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (isIncompleteStatement(e)) {
            out.push({ ...e, name: e.name, message: incompleteStatementMessage(t.image), token: t });
        } else {
            out.push(e);
        }
    }
    return out;
}

/** Chevrotain says "Expecting token of type ';' but found `}`."; say it the way a compiler would. */
export function friendlyParseMessage(message: string): string {
    let m = /^Expecting token of type '(.+?)' but found `(.*)`\.?$/s.exec(message);
    if (m) return `Expected ${tokenName(m[1])} but found ${quoted(m[2])}`;
    m = /^Expecting: (?:one of these possible Token sequences:|expecting at least one iteration which starts with one of these possible Token sequences::)?\s*(.*)\nbut found: '(.*)'$/s.exec(message);
    if (m) {
        const options = [...m[1].matchAll(/\[([^\]]*)\]/g)].map(x => tokenName(x[1].split(', ')[0].replace(/^'|'$/g, '')))
            .filter((v, i, a) => a.indexOf(v) === i).slice(0, 6);
        const what = quoted(m[2]);
        return options.length > 0 ? `Unexpected ${what}; expected ${options.join(', ')}` : `Unexpected ${what}`;
    }
    m = /^Expecting end of file but found `(.*)`\.?$/s.exec(message);
    if (m) return `Expected the end of the file but found ${quoted(m[1])}`;
    // Any other message quoting text: its first line only.
    const nl = message.search(/[\r\n\u2028\u2029]/);
    return nl < 0 ? message : `${message.slice(0, nl)}…`;
}

/** A token as the message quotes it: on one line (a diagnostic is one line), at most 40 characters. */
function quoted(image: string): string {
    if (image === '') return 'the end of the file';
    const line = image.split(/\r\n|[\r\n\u2028\u2029]/)[0].slice(0, 40);
    return `\`${line}${line === image ? '' : '…'}\``;
}

const TOKEN_NAMES: Record<string, string> = {
    ID: 'a name', INT: 'an integer', FLOAT: 'a float', STRING: 'a string', PROBE_RULE: 'a probe rule',
};

function tokenName(t: string): string {
    return TOKEN_NAMES[t] ?? `\`${t}\``;
}

/** Offset of the outermost `/*` that is never closed (block comments nest), skipping strings and `//` comments. */
export function unterminatedComment(text: string): number | undefined {
    if (!text.includes('/*')) return undefined;
    let i = 0;
    while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 34 /* " */) {
            i++;
            while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
            i++;
        } else if (c === 47 /* / */ && text[i + 1] === '/') {
            const nl = text.indexOf('\n', i);
            if (nl < 0) return undefined;
            i = nl + 1;
        } else if (c === 47 && text[i + 1] === '*') {
            const start = i;
            let depth = 0;
            while (i < text.length) {
                if (text.startsWith('/*', i)) { depth++; i += 2; }
                else if (text.startsWith('*/', i)) { depth--; i += 2; if (depth === 0) break; }
                else i++;
            }
            if (depth > 0) return start;
        } else i++;
    }
    return undefined;
}
