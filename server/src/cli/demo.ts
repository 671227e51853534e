// `whamm demo`: the CLI's main job on a bundled default, with no arguments. Instruments the sample app
// shipped in the package (out/demo/demo.wasm, AssemblyScript with a source map; its source in demo/app/)
// with a gallery monitor, runs it, prints the app's output, the monitor's report and the hottest source
// lines with their text.
import fs from 'node:fs';
import path from 'node:path';
import { runCoverage } from '../coverage/collect.js';
import { hotSpots } from '../coverage/hotspots.js';
import { findTemplate, listTemplates, packageRoot } from '../gallery/catalog.js';
import { parseArgs, UsageError } from './args.js';
import { displayPath, InputError } from './io.js';

export const DEMO_MONITOR = 'loops';

export const DEMO_HELP = `Usage: whamm demo [--monitor NAME] [--hot N]

Shows what whamm does in one command: instruments the sample app shipped with whamm (a small
AssemblyScript program with a source map; its source is demo/app/index.ts in the package) with a monitor
of the gallery ('${DEMO_MONITOR}' unless --monitor names another, see 'whamm new --list'), runs it,
and prints the app's output, the monitor's report and the hottest source lines.

Options:
  --monitor NAME        the gallery monitor to instrument with (default: ${DEMO_MONITOR})
  --hot N               how many hot lines to print (default 8)
  -h, --help            this help`;

function sourceLine(file: string, line: number): string {
    try {
        return (fs.readFileSync(file, 'utf8').split('\n')[line - 1] ?? '').trim();
    } catch {
        return '';
    }
}

export async function demoCommand(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['monitor', 'hot']), new Set(['monitor', 'hot']));
    if (a.positionals.length) throw new UsageError(`unexpected argument '${a.positionals[0]}'`);
    const hot = a.options.has('hot') ? Number(a.options.get('hot')) : 8;
    if (!Number.isInteger(hot) || hot < 0) throw new UsageError(`--hot expects a count, got '${String(a.options.get('hot'))}'`);
    const root = packageRoot();
    if (!root) throw new InputError('the package folder (with monitors/ and out/demo/) was not found beside the whamm CLI');
    const app = path.join(root, 'out', 'demo', 'demo.wasm');
    if (!fs.existsSync(app)) throw new InputError(`the sample app ${app} is missing; run npm run build`);
    const name = (a.options.get('monitor') as string | undefined) ?? DEMO_MONITOR;
    const monitor = findTemplate(name);
    if (!monitor) throw new UsageError(`no gallery monitor '${name}'; one of: ${listTemplates().map(t => t.name).join(', ')}`);

    const say = (s: string) => process.stdout.write(s + '\n');
    say(`whamm demo: instrumenting the sample app ${displayPath(app)} (source: ${displayPath(path.join(root, 'demo', 'app', 'index.ts'))})`);
    say(`with the gallery monitor '${monitor.name}' (${displayPath(monitor.file)}): ${monitor.summary}`);
    say('');
    say('--- the app\'s output ---');
    const result = await runCoverage(fs.readFileSync(app), app, {
        script: { text: fs.readFileSync(monitor.file, 'utf8'), path: monitor.file },
        // Only the report and the hot lines are ours to print; the app writes to fd 1 itself.
        stdout: text => { say(''); say('--- the report (variables of the monitor, CSV) ---'); process.stdout.write(text); },
        env: {}, args: [],
    });
    for (const w of result.warnings) process.stderr.write(`whamm demo: warning: ${w}\n`);
    if (result.trapped) process.stderr.write(`whamm demo: the sample app trapped: ${result.trapped}\n`);
    const spots = hotSpots(result.report, hot);
    if (hot > 0) {
        say('');
        say('--- hottest source lines (instructions executed on the line, share of the run) ---');
        for (const l of spots.lines) {
            say(`  ${displayPath(l.path)}:${l.line}`.padEnd(34) + `${String(l.instructions).padStart(9)}  ${(100 * l.share).toFixed(1).padStart(5)}%   ${sourceLine(l.path, l.line)}`);
        }
    }
    say('');
    say(`Next: 'whamm new --list' shows the gallery; 'whamm demo --monitor NAME' runs another monitor on this app;`);
    say(`'whamm coverage --app APP.wasm --script SCRIPT.mm' does the same for your own app.`);
    return result.trapped ? (result.exitCode || 1) : result.exitCode;
}
