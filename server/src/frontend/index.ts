/**
 * The Whamm front-end: name resolution and type checking shared by the language server, the CLI and the
 * engine. The CLI prints exactly the diagnostics the editor shows.
 *
 * Usage (outside the language server):
 * ```ts
 * const parsed = await parseScript(text);                       // server/src/language/parse.ts
 * const result = checkParsed(parsed, { userLibs });             // typed model + all diagnostics
 * for (const d of result.lspDiagnostics) console.error(formatDiagnostic(d, file));
 * if (result.lspDiagnostics.some(d => d.severity === 1)) exit(1);
 * ```
 * `CheckResult` (see checker.ts):
 * - `diagnostics`: the checker's `{severity, message, start, end, code}` with document offsets (end
 *   exclusive); `toLspDiagnostic(d, text)` converts one, `formatDiagnostic(lspDiag, file)` prints one.
 *   `parseScript(text).diagnostics` already holds syntax + checker diagnostics exactly as the editor shows
 *   them (the checker runs as the document validator), so a CLI can print those directly.
 * - `typeOf(exprNode)`: the `Type` of every expression (`{kind: 'u32'}`, `{kind: 'tuple', elems}`,
 *   `{kind: 'map', key, value}`, `{kind: 'unit'}`, `{kind: 'unknown'}` only after an error). Integer and
 *   float literals carry the type of their context (`var x: u8 = 1` -> the literal is u8).
 *   For BinaryExpr both operands have the same type (the checker rejects mixed operands), comparisons
 *   are bool; assignments/arguments may convert int -> int implicitly (wrap at the destination width).
 * - `symbolOf(VarRef | CallExpr | MemberExpr)`: what the name refers to (symbols.ts): `global`, `report`,
 *   `unshared`, `local`, `param` (VarSymbol with `perSite`, `owner`), `function`, `library`, `bound`
 *   (bound variable: type, isStatic, catalog defs, typeBound), `bound-fn` (`drop_args`, `alt_call_by_id`,
 *   ...), `builtin` (`APP_MEMID`), `builtin-fn` (`read_str`, `memid`, ...), `lib-fn` (`lib.fn(...)`:
 *   set on the MemberExpr), `string-method` (`s.len()`: set on the MemberExpr).
 * - `declared(VarDecl | Param | FnDef | Use)`: the symbol a declaration introduces.
 * - `probes`: one `ProbeInfo` per probe: the parsed rule (parts, globs, type bounds with offsets),
 *   `matches` = the (event, mode) pairs it applies to (use these to match sites: they include the
 *   reference's spelling variants like `i32.atomic_load`), `bounds` (type bounds by name), `boundVars`
 *   (bound variables the probe's code uses, with types).
 */
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ParsedScript } from '../language/parse.js';
import type { Script } from '../language/generated/ast.js';
import { checkScript, type CheckDiagnostic, type CheckOptions, type CheckResult } from './checker.js';
import { checkResultOf } from '../language/whamm-validator.js';

export { checkScript } from './checker.js';
export type { CheckDiagnostic, CheckOptions, CheckResult, ProbeInfo, Severity } from './checker.js';
export type * from './symbols.js';
export * from './types.js';
export { catalogView } from './catalog-view.js';
export type { CatalogView, EventDef, BoundVarDef, BoundFnDef } from './catalog-view.js';
export type { EventMatch } from './rule-match.js';

const SEVERITY = { error: 1, warning: 2, info: 3, hint: 4 } as const;

/**
 * The checker's result for a script parsed with `parseScript`, plus every diagnostic as LSP diagnostics
 * (lexer and parser errors first, then the checker's). Without `userLibs` this reuses the result the
 * validation inside `parseScript` computed; with them, library calls are also checked against the
 * libraries' export signatures.
 */
export function checkParsed(parsed: ParsedScript, options?: CheckOptions): CheckResult & { lspDiagnostics: Diagnostic[] } {
    const script = parsed.script as Script;
    const result = options?.userLibs || options?.catalog ? checkScript(script, options) : checkResultOf(script);
    const syntax = parsed.diagnostics.filter(d => {
        const code = (d.data as { code?: string } | undefined)?.code;
        return code === 'lexing-error' || code === 'parsing-error';
    });
    const text = parsed.document.textDocument.getText();
    return { ...result, lspDiagnostics: [...syntax, ...result.diagnostics.map(d => toLspDiagnostic(d, text))] };
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
