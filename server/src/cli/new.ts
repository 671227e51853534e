// `whamm new`: starts a script from a gallery monitor. `--list` shows the gallery; `NAME` writes
// NAME.mm (or -o FILE) and never replaces an existing file unless --force says so.
import fs from 'node:fs';
import path from 'node:path';
import { findTemplate, galleryDir, listTemplates } from '../gallery/catalog.js';
import { parseArgs, UsageError } from './args.js';
import { displayPath, InputError } from './io.js';

export const NEW_HELP = `Usage: whamm new --list [--json]
       whamm new NAME [-o FILE] [--force]

Starts a Whamm script from a monitor of the gallery shipped with whamm (coverage, hotness, instruction
mix, call graph, memory tracing, cache simulation, loops, memory growth, fault injection, time per
function). Each template's header says what it measures and how to read its report.

Options:
  --list                list the templates (name and what each one does)
  --json                with --list: print the list as JSON ([{name, title, summary, file}])
  -o, --output FILE     where to write the script (default: NAME.mm in the current directory)
  --force               replace FILE if it exists (otherwise an existing file is left alone: exit 2)
  -h, --help            this help`;

export function newCommand(argv: string[]): number {
    const a = parseArgs(argv, new Set(['o', 'output']), new Set(['list', 'json', 'o', 'output', 'force']));
    const templates = listTemplates();
    if (templates.length === 0) throw new InputError(`the monitor gallery is missing (looked in ${galleryDir() ?? 'the package folder'})`);
    if (a.options.has('list')) {
        if (a.positionals.length) throw new UsageError('--list takes no template name');
        if (a.options.has('json')) {
            process.stdout.write(JSON.stringify(templates, null, 1) + '\n');
        } else {
            const w = Math.max(...templates.map(t => t.name.length));
            for (const t of templates) process.stdout.write(`${t.name.padEnd(w)}  ${t.summary}\n`);
            process.stdout.write(`\nwhamm new NAME [-o FILE] writes one of them; its header explains the report.\n`);
        }
        return 0;
    }
    if (a.positionals.length !== 1) throw new UsageError(a.positionals.length ? `expected one template name, got ${a.positionals.join(' ')}` : 'missing the template name (whamm new --list shows them)');
    const name = a.positionals[0];
    const t = findTemplate(name);
    if (!t) throw new UsageError(`no template '${name}'; one of: ${templates.map(x => x.name).join(', ')}`);
    const out = (a.options.get('o') ?? a.options.get('output') ?? `${t.name}.mm`) as string;
    if (fs.existsSync(out) && !a.options.has('force')) {
        throw new InputError(`${out} exists; choose another name with -o FILE, or pass --force to replace it`);
    }
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, fs.readFileSync(t.file));
    process.stdout.write(`wrote ${displayPath(path.resolve(out))} (${t.title}): ${t.summary}\n`);
    return 0;
}
