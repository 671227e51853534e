// `whamm` command line. Each command lives in its own file (NAME.ts: NAME_HELP and NAMEMain(argv)) and
// is listed once in COMMANDS. Exit codes: 0 ok, 1 the app or a test failed at run time, 2 usage or input
// error (missing file, bad script, malformed module, unwritable output), 70 internal error (a bug in
// whamm: one line; WHAMM_DEBUG=1 adds the stack).
import '../polyfill.js';
import { UsageError } from './args.js';
import { INSTR_HELP, instrMain } from './instr.js';
import { RUN_HELP, runMain } from './run.js';
import { INFO_HELP, infoMain } from './info.js';
import { WAST_HELP, wastMain } from './wast.js';
import { COVERAGE_HELP, coverageCommand } from './coverage.js';
import { InputError } from './io.js';
import { cleanUpOutputs } from './output.js';
import { NEW_HELP, newCommand } from './new.js';
import { DEMO_HELP, demoCommand } from './demo.js';

declare const WHAMM_VERSION: string | undefined;
const VERSION = typeof WHAMM_VERSION === 'string' ? WHAMM_VERSION : '0.1.0';

/** Exit code of an internal error (sysexits' EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

interface Command {
    help: string;
    main(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
    instr: { help: INSTR_HELP, main: instrMain },
    run: { help: RUN_HELP, main: runMain },
    info: { help: INFO_HELP, main: infoMain },
    wast: { help: WAST_HELP, main: wastMain },
    coverage: { help: COVERAGE_HELP, main: coverageCommand },
    new: { help: NEW_HELP, main: async argv => newCommand(argv) },
    demo: { help: DEMO_HELP, main: demoCommand },
};

export const HELP: Record<string, string> = Object.fromEntries(Object.entries(COMMANDS).map(([k, c]) => [k, c.help]));

const MAIN_HELP = `whamm ${VERSION} — instrument WebAssembly with Whamm scripts

Usage:
  whamm instr --app APP.wasm --script SCRIPT.mm [-o OUT.wasm] [--user-libs name=PATH,...] [--testing]
  whamm run OUT.wasm [--user-libs name=PATH,...] [--env K=V] [--dir HOST[::GUEST]] [--dir-ro ...] [-- ARGS...]
  whamm info --rule RULE [-v] [-f]
  whamm wast FILE.wast
  whamm coverage --app APP.wasm [--script SCRIPT.mm] [--lcov OUT] [--json OUT] [--env/--dir ...] [-- ARGS...]
  whamm new --list | NAME [-o FILE]   start a script from the monitor gallery
  whamm demo                          instrument and run the bundled sample app
  whamm --version

Run 'whamm <command> --help' for the options of a command.
Exit codes: 0 success, 1 the app trapped/failed or a test failed, 2 usage or input error, 70 internal error.`;

/** One line for an error that is not the user's: the stack only when WHAMM_DEBUG is set. */
export function internalError(command: string, e: unknown): string {
    const message = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    const firstLine = message.split('\n')[0];
    const debug = process.env.WHAMM_DEBUG && e instanceof Error && e.stack ? `\n${e.stack}` : '';
    return `whamm${command ? ` ${command}` : ''}: internal error: ${firstLine}${debug ? debug : ' (WHAMM_DEBUG=1 shows where)'}\n`;
}

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
    const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!cmd) {
        process.stderr.write(`whamm: unknown command '${command}'\n\n${MAIN_HELP}\n`);
        return 2;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
        const dd = rest.indexOf('--');
        const h = rest.findIndex(a => a === '-h' || a === '--help');
        if (dd < 0 || h < dd) { process.stdout.write(cmd.help + '\n'); return 0; }
    }
    try {
        return await cmd.main(rest);
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`whamm ${command}: ${e.message}\n(see 'whamm ${command} --help')\n`);
            return 2;
        }
        if (e instanceof InputError) {
            process.stderr.write(e.located ? `${e.message}\n` : `whamm ${command}: ${e.message}\n`);
            return 2;
        }
        process.stderr.write(internalError(command, e));
        return EXIT_INTERNAL;
    } finally {
        cleanUpOutputs();
    }
}

const isMain = typeof require !== 'undefined' && require.main === module;
if (isMain || process.env.WHAMM_CLI_MAIN === '1') {
    // Outputs are renamed into place together, uninterrupted (./output.ts); no temporary file stays behind.
    process.on('exit', cleanUpOutputs);
    process.on('uncaughtException', e => { process.stderr.write(internalError('', e)); process.exit(EXIT_INTERNAL); });
    main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
        process.stderr.write(internalError('', e));
        process.exitCode = EXIT_INTERNAL;
    });
}
