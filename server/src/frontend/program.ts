// The checked program. The front-end parses a script, checks it (with the signatures of the user libraries
// when the caller has them) and, when it has no errors, lowers it to the typed IR the engine compiles
// (`ir`, see ir.ts): symbols, types, each probe's matched events, bound variables, reads and writes,
// per-site variables and library calls. The syntax tree and the checker's result stay available to the
// editor's tools. Scripts with errors have no IR: `errors` holds exactly what the editor shows, and the
// caller stops there.
import type { Diagnostic } from 'vscode-languageserver-types';
import { parseScript } from '../language/parse.js';
import type * as ast from '../language/generated/ast.js';
import { decodeModule, funcType } from '../wasm/decode.js';
import { checkParsed } from './diagnostics.js';
import type { CheckResult, LibraryCall, ProbeInfo } from './checker.js';
import type { LibFnSignature, UserLibs } from './symbols.js';
import { T, type Type } from './types.js';
import type { IrProgram } from './ir.js';
import { lowerProgram } from './lower-ir.js';

export interface Program {
    file: string;
    script: ast.Script;
    check: CheckResult;
    /** Syntax and checker diagnostics, as the editor shows them. */
    diagnostics: Diagnostic[];
    errors: Diagnostic[];
    /** Libraries named by `use`, in order. */
    uses: string[];
    /** One entry per probe, in script order (the editor's view; the engine reads `ir.probes`). */
    probes: ProbeInfo[];
    /** Library functions called at run time: globals' initialisers first, then top-level code, functions, probes. */
    libraryCalls: LibraryCall[];
    /** The typed program the engine compiles; present when the script has no errors. */
    ir?: IrProgram;
}

export interface ProgramOptions {
    /** The script's path, used in diagnostics. */
    file?: string;
    /** Export signatures of the libraries the script `use`s (called with their names once parsed). */
    libraries?: (uses: readonly string[]) => UserLibs;
}

export async function buildProgram(text: string, options: ProgramOptions = {}): Promise<Program> {
    const file = options.file ?? 'script.mm';
    const parsed = await parseScript(text, file.startsWith('/') ? file : undefined);
    const script = parsed.script;
    const items = script.items ?? [];
    const uses = items.filter((i): i is ast.Use => i.$type === 'Use').map(u => u.name);
    const userLibs = options.libraries?.(uses);
    const checked = checkParsed(parsed, userLibs ? { userLibs } : undefined);
    const program: Program = {
        file, script, check: checked, diagnostics: checked.lspDiagnostics,
        errors: checked.lspDiagnostics.filter(d => d.severity === 1),
        uses, probes: [], libraryCalls: [],
    };
    for (const item of items) {
        const info = item.$type === 'Probe' ? checked.probeInfo(item) : undefined;
        if (info) program.probes.push(info);
    }
    const rank = (n: ast.MemberExpr): number => {
        let top: { $type: string; $container?: unknown } = n;
        while (top.$container && (top.$container as { $type: string }).$type !== 'Script') top = top.$container as typeof top;
        const kind = top.$type === 'VarDecl' ? 0 : top.$type === 'FnDef' ? 2 : top.$type === 'Probe' ? 3 : 1;
        return kind * 1e6 + items.indexOf(top as ast.TopItem);
    };
    program.libraryCalls = [...checked.libraryCalls].sort((a, b) => rank(a.node) - rank(b.node));
    if (program.errors.length === 0) {
        program.ir = lowerProgram({ text, script, check: checked, uses, probes: program.probes, libraryCalls: program.libraryCalls });
    }
    return program;
}

/** Export signatures of a library module (its functions' wasm types as Whamm types). */
export function librarySignatures(bytes: Uint8Array): Record<string, LibFnSignature> {
    const m = decodeModule(bytes);
    const out: Record<string, LibFnSignature> = {};
    for (const e of m.exports) {
        if (e.kind !== 'func') continue;
        const t = funcType(m, e.index);
        out[e.name] = { params: t.params.map(whammType), results: t.results.map(whammType) };
    }
    return out;
}

function whammType(v: string): Type {
    switch (v) {
        case 'i32': return T.i32;
        case 'i64': return T.i64;
        case 'f32': return T.f32;
        case 'f64': return T.f64;
        default: return T.unknown;
    }
}
