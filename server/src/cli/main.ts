// `whamm` command line: instr, run, info, wast. Exit codes: 0 ok, 1 the app or a test failed at run
// time, 2 usage or input error (missing file, bad script, malformed module).
import '../polyfill.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { instrCommand } from './instr.js';
import { dryRunCommand } from './dry-run.js';
import { runCommand } from './run.js';
import { infoCommand } from './info.js';
import { wastCommand } from './wast.js';
import { COVERAGE_HELP, coverageCommand } from './coverage.js';
import { InputError } from './io.js';
import { NEW_HELP, newCommand } from './new.js';
import { DEMO_HELP, demoCommand } from './demo.js';

declare const WHAMM_VERSION: string | undefined;
const VERSION = typeof WHAMM_VERSION === 'string' ? WHAMM_VERSION : '0.1.0';

const MAIN_HELP = `whamm ${VERSION} — instrument WebAssembly with Whamm scripts

Usage:
  whamm instr --app APP.wasm --script SCRIPT.mm [-o OUT.wasm] [--user-libs name=PATH,...] [--testing]
  whamm run OUT.wasm [--user-libs name=PATH,...] [-- ARGS...]
  whamm info --rule RULE [-v] [-f]
  whamm wast FILE.wast
  whamm coverage --app APP.wasm [--script SCRIPT.mm] [--lcov OUT] [--json OUT] [-- ARGS...]
  whamm new --list | NAME [-o FILE]   start a script from the monitor gallery
  whamm demo                          instrument and run the bundled sample app
  whamm --version

Run 'whamm <command> --help' for the options of a command.
Exit codes: 0 success, 1 the app trapped/failed or a test failed, 2 usage or input error.`;

export const HELP: Record<string, string> = {
    instr: `Usage: whamm instr --app APP.wasm --script SCRIPT.mm [options]

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

Beside the output, OUT.sites.json lists every match site (fid, pc, opidx, module offset, probe).`,
    run: `Usage: whamm run MODULE.wasm [--user-libs name=PATH,...] [-- ARGS...]

Runs a module with WASI preview1 (args, environment, the current directory preopened as '.'), or calls
its _start (or main) export when it imports no WASI. Prints the app's output, then the report flush; the
report is also flushed after proc_exit and after a trap (reported as 'trap: ...' on stderr, exit code 1).
The exit code is the app's exit code.

Options:
  --user-libs LIST      user libraries the module imports, name=PATH[,name=PATH...]
  -h, --help            this help`,
    info: `Usage: whamm info --rule RULE [-v] [-f]

Lists the events a match rule selects (e.g. 'wasm:opcode:*load*:before'), their modes and, with -v,
their bound variables; with -f their bound functions.

Options:
  --rule RULE           the match rule (globs allowed in every part)
  -v, --vars            show bound variables
  -f, --functions       show bound functions
  -h, --help            this help`,
    wast: `Usage: whamm wast FILE.wast

Runs a Whamm wast test file: instruments the module marked ';; @instrument' with each ';; WHAMM -->'
script (in --testing mode) and checks the assertions that follow. Prints one line per failure and a
last line 'N passed, M failed'; exit code 0 only when all pass.

Options:
  -v, --verbose         also list every check that passed
  --check-original      also run each assertion alone on the original module: it must fail there unless
                        marked ';; @passes_uninstr' (then it must hold), as the reference's harness checks
  --user-libs LIST      user libraries the scripts use, name=PATH[,name=PATH...]
  -h, --help            this help`,
};

HELP.coverage = COVERAGE_HELP;
HELP.new = NEW_HELP;
HELP.demo = DEMO_HELP;

export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
        const topic = command === 'help' ? rest[0] : undefined;
        process.stdout.write((topic && HELP[topic] ? HELP[topic] : MAIN_HELP) + '\n');
        return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V' || command === 'version') {
        process.stdout.write(`whamm ${VERSION}\n`);
        return 0;
    }
    if (!(command in HELP)) {
        process.stderr.write(`whamm: unknown command '${command}'\n\n${MAIN_HELP}\n`);
        return 2;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
        const dd = rest.indexOf('--');
        const h = rest.findIndex(a => a === '-h' || a === '--help');
        if (dd < 0 || h < dd) { process.stdout.write(HELP[command] + '\n'); return 0; }
    }
    try {
        switch (command) {
            case 'instr': {
                const a = parseArgs(rest, new Set(['app', 'script', 'o', 'output', 'user-libs']),
                    new Set(['app', 'script', 'o', 'output', 'user-libs', 'testing', 'dry-run', 'json']));
                if (a.positionals.length) throw new UsageError(`unexpected argument '${a.positionals[0]}'`);
                const app = a.options.get('app'), script = a.options.get('script');
                if (typeof app !== 'string') throw new UsageError('missing --app APP.wasm');
                if (typeof script !== 'string') throw new UsageError('missing --script SCRIPT.mm');
                if (a.options.has('dry-run')) {
                    return await dryRunCommand({ app, script, json: a.options.has('json'), userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined) });
                }
                if (a.options.has('json')) throw new UsageError('--json goes with --dry-run');
                const out = (a.options.get('o') ?? a.options.get('output')) as string | undefined;
                return await instrCommand({
                    app, script, output: out ?? 'output.wasm', explicitOutput: out !== undefined,
                    userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
                    testing: a.options.has('testing'),
                });
            }
            case 'run': {
                const a = parseArgs(rest, new Set(['user-libs']), new Set(['user-libs']));
                if (a.positionals.length !== 1) throw new UsageError(a.positionals.length ? `expected one module, got ${a.positionals.join(' ')}` : 'missing the module to run');
                return await runCommand({
                    module: a.positionals[0],
                    userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
                    args: a.rest,
                });
            }
            case 'info': {
                const a = parseArgs(rest, new Set(['rule']), new Set(['rule', 'v', 'vars', 'f', 'functions']));
                const rule = a.options.get('rule') ?? a.positionals[0];
                if (typeof rule !== 'string') throw new UsageError('missing --rule RULE');
                return infoCommand({ rule, vars: a.options.has('v') || a.options.has('vars'), fns: a.options.has('f') || a.options.has('functions') });
            }
            case 'coverage':
                return await coverageCommand(rest);
            case 'new':
                return newCommand(rest);
            case 'demo':
                return await demoCommand(rest);
            case 'wast': {
                // [helper-6] -v lists passing checks; --check-original also checks the file against the original module.
                const a = parseArgs(rest, new Set(['user-libs']), new Set(['v', 'verbose', 'check-original', 'user-libs']));
                if (a.positionals.length !== 1) throw new UsageError('expected one .wast file');
                return await wastCommand(a.positionals[0], {
                    verbose: a.options.has('v') || a.options.has('verbose'), checkOriginal: a.options.has('check-original'),
                    userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
                });
            }
        }
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`whamm ${command}: ${e.message}\n(see 'whamm ${command} --help')\n`);
            return 2;
        }
        if (e instanceof InputError) {
            process.stderr.write(e.located ? `${e.message}\n` : `whamm ${command}: ${e.message}\n`);
            return 2;
        }
        process.stderr.write(`whamm ${command}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        return 1;
    }
    return 2;
}

const isMain = typeof require !== 'undefined' && require.main === module;
if (isMain || process.env.WHAMM_CLI_MAIN === '1') {
    main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
        process.stderr.write(`whamm: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
    });
}
