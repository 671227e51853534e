// Diagnostics of a checked script as the editor and the CLI show them: LSP diagnostics (syntax errors first,
// then the checker's) and the CLI's `file:line:col: severity: message` lines.
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ParsedScript } from '../language/parse.js';
import type { Script } from '../language/generated/ast.js';
import { checkScript, type CheckDiagnostic, type CheckOptions, type CheckResult } from './checker.js';
import { checkResultOf } from '../language/whamm-validator.js';

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

/**
 * The checker's result for a script parsed with `parseScript`, plus every diagnostic as LSP diagnostics
 * (lexer and parser errors first, then the checker's). Without `userLibs` this reuses the result the
 * validation inside `parseScript` computed; with them, library calls are also checked against the
 * libraries' export signatures.
 */
export function checkParsed(parsed: ParsedScript, options?: CheckOptions): CheckResult & { lspDiagnostics: Diagnostic[] } {
    const script = parsed.script as Script;
    const base = checkResultOf(script);
    if (!options?.userLibs && !options?.catalog) return { ...base, lspDiagnostics: parsed.diagnostics };
    // The document's diagnostics with the checker's part replaced by this check's.
    const text = parsed.document.textDocument.getText();
    const key = (d: Diagnostic) => `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${String(d.code)}:${String(d.message)}`;
    const checkerKeys = new Set(base.diagnostics.map(d => key(toLspDiagnostic(d, text))));
    const others = parsed.diagnostics.filter(d => !checkerKeys.has(key(d)));
    const result = checkScript(script, options);
    return { ...result, lspDiagnostics: [...others, ...result.diagnostics.map(d => toLspDiagnostic(d, text))] };
}

/** Line/column of a document offset (0-based). */
export function positionAt(text: string, offset: number): { line: number; character: number } {
    let line = 0;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
    }
    return { line, character: Math.min(offset, text.length) - lineStart };
}

export function toLspDiagnostic(d: CheckDiagnostic, text: string): Diagnostic {
    return {
        range: { start: positionAt(text, d.start), end: positionAt(text, d.end) },
        severity: SEVERITY[d.severity], message: d.message, source: 'whamm', code: d.code,
        ...(d.unnecessary ? { tags: [1] } : {}),
    };
}

/** `file:line:col: error: message` (1-based), as the CLI prints it. */
export function formatDiagnostic(d: Diagnostic, file: string): string {
    const sev = d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : d.severity === 3 ? 'info' : 'hint';
    return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${sev}: ${d.message}`;
}
