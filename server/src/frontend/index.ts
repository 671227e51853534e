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
 * `buildProgram(text)` does all of this and, for a script without errors, lowers it to `Program.ir` (ir.ts):
 * the typed, resolved program the engine compiles, which refers to no syntax node.
 */
export { checkScript, failedCheck } from './checker.js';
export type { CheckDiagnostic, CheckOptions, CheckResult, LibraryCall, ProbeInfo, Severity } from './checker.js';
export type * from './symbols.js';
export * from './types.js';
export { catalogView } from './catalog-view.js';
export type { CatalogView, EventDef, BoundVarDef, BoundFnDef } from './catalog-view.js';
export type { EventMatch } from './rule-match.js';
export { checkParsed, formatDiagnostic, positionAt, toLspDiagnostic } from './diagnostics.js';
export type * from './ir.js';
export { irChildren } from './ir.js';
export { BOUND_FN_LOWERING, BUILTIN_CONSTS, BUILTIN_FNS, STRING_METHODS, type BuiltinLowering } from './builtins.js';
export { buildProgram, librarySignatures, type Program, type ProgramOptions } from './program.js';
