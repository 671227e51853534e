// `whamm instr`: instrument an app with a script; writes the module and its site table together.
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { instrument, ScriptError, TooLargeError, type SiteTable } from '../engine/instrument.js';
import type { ModuleBytes } from '../wasm/rewrite.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { InputError, readApp, readInput } from './io.js';
import { checkOutput, PlacedLog } from '../preview/validate.js';
import { dryRunCommand } from './dry-run.js';
import { checkDistinct, existingFile, stageTogether, type StagedFiles } from './output.js';
import { piecesSha256, SiteRowsScratch, siteTableData, siteTablePath } from './site-table-file.js';
import { ScratchSpill } from './scratch-spill.js';

import { checkInstrumented, InternalError, validateInput } from './validate.js';
import { WASM_MAGIC } from '../wasm/decode.js';

export const INSTR_HELP = `Usage: whamm instr --app APP.wasm --script SCRIPT.mm [options]

Instruments APP.wasm with the probes of SCRIPT.mm and writes the instrumented module.

Options:
  --app PATH            the application module to instrument (never modified)
  --script PATH         the Whamm script (.mm)
  -o, --output PATH     where to write the instrumented module
                        (default: output.wasm in the current directory, as the reference does;
                        a file of that name that whamm did not write is never replaced)
  --user-libs LIST      user libraries, name=PATH[,name=PATH...] (for 'use name;')
  --testing             also export get_<var> for every global script variable
  --dry-run             write nothing: print the plan of injections (sites, injected code, additions)
  --json                with --dry-run: the plan as JSON
  -h, --help            this help

Beside the output, OUT.sites.json lists every match site (fid, pc, opidx, module offset, probe) and
names the app, script and module it belongs to; the two files are replaced together. The output may
not be the app, the script or a library, and an existing file is only replaced by a module.`;

export interface InstrCommandOptions {
    app: string;
    script: string;
    output: string;
    /** False when the output is the default name: then a file we did not write is never replaced. */
    explicitOutput?: boolean;
    userLibs: Map<string, string>;
    testing: boolean;
}

export async function instrMain(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['app', 'script', 'o', 'output', 'user-libs']),
        new Set(['app', 'script', 'o', 'output', 'user-libs', 'testing', 'dry-run', 'json']));
    if (a.positionals.length) throw new UsageError(`unexpected argument '${a.positionals[0]}'`);
    const app = a.options.get('app'), script = a.options.get('script');
    if (typeof app !== 'string') throw new UsageError('missing --app APP.wasm');
    if (typeof script !== 'string') throw new UsageError('missing --script SCRIPT.mm');
    if (a.options.has('dry-run')) {
        return dryRunCommand({ app, script, json: a.options.has('json'), userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined) });
    }
    if (a.options.has('json')) throw new UsageError('--json goes with --dry-run');
    const out = (a.options.get('o') ?? a.options.get('output')) as string | undefined;
    return instrCommand({
        app, script, output: out ?? 'output.wasm', explicitOutput: out !== undefined,
        userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
        testing: a.options.has('testing'),
    });
}

const SITES_PREFIXES = ['{"format":"whamm-sites"', '{"app":'];

function startsWith(file: string, prefix: Uint8Array): boolean {
    const fd = fs.openSync(file, 'r');
    try {
        const head = Buffer.alloc(prefix.length);
        const n = fs.readSync(fd, head, 0, prefix.length, 0);
        return n === prefix.length && head.equals(Buffer.from(prefix));
    } finally {
        fs.closeSync(fd);
    }
}

/** Refuses to replace what is not ours to replace: see INSTR_HELP. */
function checkOutputs(o: InstrCommandOptions): void {
    const sites = siteTablePath(o.output);
    checkDistinct([{ path: o.output, what: 'output' }, { path: sites, what: 'site table' }], [
        { path: o.app, what: 'app' }, { path: o.script, what: 'script' },
        ...[...o.userLibs].map(([name, p]) => ({ path: p, what: `user library '${name}'` })),
    ]);
    const outExists = existingFile(o.output, 'output');
    const sitesExists = existingFile(sites, 'site table');
    if (outExists && o.explicitOutput === false && !sitesExists) {
        // A default-named file without our site table beside it is the user's own: keep it.
        throw new InputError(`${o.output} exists and was not written by whamm; choose the output with -o OUT.wasm`);
    }
    if (outExists && !startsWith(o.output, Uint8Array.from(WASM_MAGIC))) {
        throw new InputError(`${o.output} exists and is not a WebAssembly module; not replacing it (choose another -o)`);
    }
    if (sitesExists && !SITES_PREFIXES.some(p => startsWith(sites, Buffer.from(p)))) {
        throw new InputError(`${sites} exists and is not a whamm site table; not replacing it (move it or choose another -o)`);
    }
}

export async function instrCommand(o: InstrCommandOptions): Promise<number> {
    // Held in an object so that it can be let go once instrumented (the output is then checked in its place).
    const input: { app?: Uint8Array } = { app: await readApp(o.app) };
    const scriptBytes = readInput(o.script, 'script');
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    checkOutputs(o);
    const checked = await validateInput(input.app!, o.app);
    const scratch = new SiteRowsScratch(o.output);
    // The code section waits in a scratch file beside the output while functions are instrumented.
    const code = new ScratchSpill(o.output, 'instrumented module');
    try {
        return await instrumentAndWrite(o, input, scriptBytes, libs, checked, scratch, code);
    } finally {
        scratch.close();
        code.close();
    }
}

interface Instrumented { module?: ModuleBytes; sites: SiteTable; warnings: string[] }

async function instrumentAndWrite(o: InstrCommandOptions, input: { app?: Uint8Array }, scriptBytes: Buffer, libs: Map<string, Uint8Array>,
    checked: Awaited<ReturnType<typeof validateInput>>, scratch: SiteRowsScratch, code: ScratchSpill): Promise<number> {
    const script = scriptBytes.toString('utf8');
    // Only the module's additions: where the probes' code went is found again for a function V8 rejects.
    const placed = new PlacedLog(-1);
    const done = await instrumentInPieces(o, input, script, libs, placed, scratch, code);
    if (typeof done === 'number') return done;
    const staged = stage(o, done, scriptBytes, scratch);
    try {
        if (checked.byEngine || checked.capableNode) await checkWritten(o, staged.temps[1], checked, placed, done.sites, script, libs);
        for (const w of done.warnings) process.stderr.write(`whamm instr: warning: ${w}\n`);
        staged.commit();
    } finally {
        staged.abandon();
    }
    return 0;
}

/**
 * The instrumented module in pieces (never joined: they are written out one by one), or the exit code of
 * a script with errors. The app's bytes are let go (the caller's frames keep nothing of the engine's).
 */
async function instrumentInPieces(o: InstrCommandOptions, input: { app?: Uint8Array }, script: string, libs: Map<string, Uint8Array>,
    placed: PlacedLog, scratch: SiteRowsScratch, code: ScratchSpill): Promise<Instrumented | number> {
    try {
        const r = await instrument({
            app: input.app!, script, scriptPath: o.script, userLibs: libs, testing: o.testing, maxMemoryMb: maxMemoryMb(),
            plan: placed, siteSink: scratch.sink, codeSpill: code, moduleParts: true,
        });
        if (!r.module) throw new InternalError('the instrumented module was not assembled');
        return { module: r.module, sites: r.sites, warnings: r.warnings };
    } catch (e) {
        if (e instanceof TooLargeError) throw new InputError(`${o.app}: ${e.message}${e.limit === 'memory' ? '; set WHAMM_MAX_MEMORY_MB to allow more' : ''}`);
        if (e instanceof ScriptError) {
            process.stderr.write(e.message + '\n');
            return 2;
        }
        if (e instanceof Error && e.name === 'WasmDecodeError') throw new InputError(`${o.app}: ${e.message}`);
        throw e;
    } finally {
        input.app = undefined;
    }
}

/**
 * The site table first, the module last: a module is never seen beside another module's table for longer
 * than a rename, and the table names the module's hash either way. Both go to their temporary files, where
 * the module is checked before they are put in place; its pieces are let go once written.
 */
function stage(o: InstrCommandOptions, done: Instrumented, scriptBytes: Buffer, scratch: SiteRowsScratch): StagedFiles {
    const module = done.module!;
    done.module = undefined;
    const head = { app: o.app, script: o.script, output: o.output, scriptBytes, module: { sha256: piecesSha256(module.pieces()), bytes: module.size } };
    return stageTogether([
        { path: siteTablePath(o.output), what: 'site table', data: siteTableData(head, done.sites, scratch) },
        { path: o.output, data: module.pieces(), what: 'output' },
    ]);
}

/**
 * The verdict of the engine that validated the input on the output written to `file` (read whole: the
 * engine takes nothing else). An invalid output is never put in place; its message says which probe's
 * injected code breaks it, where that can be told.
 */
async function checkWritten(o: InstrCommandOptions, file: string, checked: Awaited<ReturnType<typeof validateInput>>, placed: PlacedLog,
    sites: SiteTable, script: string, libs: Map<string, Uint8Array>): Promise<void> {
    if (fs.statSync(file).size >= COLLECT_BEFORE_CHECK_BYTES) collectGarbage();
    const bytes = fs.readFileSync(file);
    if (checked.byEngine && WebAssembly.validate(bytes)) return;
    try {
        await checkInstrumented(bytes, checked);
    } catch (e) {
        if (!(e instanceof InternalError)) throw e;
        const app = await readApp(o.app);
        const invalid = await checkOutput(bytes, app, placed, p => sites.ruleOfProbe(p) ?? `probe ${p}`, async fid => {
            const log = new PlacedLog(fid);
            await instrument({ app, script, scriptPath: o.script, userLibs: libs, testing: o.testing, plan: log, dryRun: true, siteSink: () => undefined });
            return log;
        });
        if (invalid?.probe !== undefined) throw new InternalError(`${invalid.message}; nothing was written`);
        throw e;
    }
}

/** An output at least this big is read back only after the instrumentation's data is collected. */
const COLLECT_BEFORE_CHECK_BYTES = 8 << 20;

/**
 * A full garbage collection where the engine allows one: the instrumentation's data (the app's bytes, the
 * layout, the module's pieces), no longer referenced, is freed before a big output is read back whole to
 * be checked. V8 would collect it only later, after the output's bytes have been added to it.
 */
function collectGarbage(): void {
    try {
        v8.setFlagsFromString('--expose-gc');
        (vm.runInNewContext('gc') as () => void)();
    } catch {
        // No collection: only the peak memory is higher.
    }
}

/** Default memory budget of `instr`: WHAMM_MAX_MEMORY_MB, else 2048 MB. */
export const DEFAULT_MAX_MEMORY_MB = 2048;
function maxMemoryMb(): number {
    const v = Number(process.env.WHAMM_MAX_MEMORY_MB);
    return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_MEMORY_MB;
}
