// `whamm wast` is implemented in server/src/wast (the wast harness); this is its CLI entry.
import { wastCommand as runWast } from '../wast/cli-command.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';
import { parseWastFile } from '../wast/wast-file.js';
import { moduleFormToWasm } from '../wast/wat.js';

/** The binaries of a .wast file's modules (those that assemble; the harness reports the others). */
async function wastModules(source: string): Promise<Uint8Array[]> {
    let file;
    try { file = parseWastFile(source); } catch { return []; }
    const forms = [file.target, ...file.setup.flatMap(c => (c.kind === 'module' ? [c.module] : []))];
    const out: Uint8Array[] = [];
    for (const m of forms) {
        try { out.push(await moduleFormToWasm(m.node, source)); } catch { /* reported by the harness */ }
    }
    return out;
}

export const WAST_HELP = `Usage: whamm wast FILE.wast

Runs a Whamm wast test file: instruments the module marked ';; @instrument' with each ';; WHAMM -->'
script (in --testing mode) and checks the assertions that follow. Prints one line per failure and a
last line 'N passed, M failed'; exit code 0 only when all pass.

Options:
  -v, --verbose         also list every check that passed
  --check-original      also run each assertion alone on the original module: it must fail there unless
                        marked ';; @passes_uninstr' (then it must hold), as the reference's harness checks
  --user-libs LIST      user libraries the scripts use, name=PATH[,name=PATH...]
  -h, --help            this help`;

export interface WastCommandOptions {
    verbose?: boolean;
    checkOriginal?: boolean;
    /** name -> path, from --user-libs */
    userLibs?: Map<string, string>;
}

export async function wastMain(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['user-libs']), new Set(['v', 'verbose', 'check-original', 'user-libs']));
    if (a.positionals.length !== 1) throw new UsageError('expected one .wast file');
    return wastCommand(a.positionals[0], {
        verbose: a.options.has('v') || a.options.has('verbose'), checkOriginal: a.options.has('check-original'),
        userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
    });
}

export async function wastCommand(file: string, o: WastCommandOptions = {}): Promise<number> {
    const source = readInput(file, 'wast file').toString('utf8');
    const rerun = await rerunWhereSupported('wast', await wastModules(source));
    if (rerun !== undefined) return rerun;
    const libs = new Map<string, Uint8Array>();
    for (const [name, path] of o.userLibs ?? []) libs.set(name, readInput(path, `user library '${name}'`));
    return runWast(file, { verbose: o.verbose, checkOriginal: o.checkOriginal, userLibs: libs });
}
