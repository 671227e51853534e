import { boundFnsOf, boundVarsOf, matchRule } from '../catalog/index.js';
import { parseRule } from '../language/rule-parser.js';
import { parseArgs, UsageError } from './args.js';

export const INFO_HELP = `Usage: whamm info --rule RULE [-v] [-f]

Lists the events a match rule selects (e.g. 'wasm:opcode:*load*:before'), their modes and, with -v,
their bound variables; with -f their bound functions.

Options:
  --rule RULE           the match rule (globs allowed in every part)
  -v, --vars            show bound variables
  -f, --functions       show bound functions
  -h, --help            this help`;

export interface InfoOptions { rule: string; vars: boolean; fns: boolean }

export async function infoMain(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['rule']), new Set(['rule', 'v', 'vars', 'f', 'functions']));
    const rule = a.options.get('rule') ?? a.positionals[0];
    if (typeof rule !== 'string') throw new UsageError('missing --rule RULE');
    return infoCommand({ rule, vars: a.options.has('v') || a.options.has('vars'), fns: a.options.has('f') || a.options.has('functions') });
}

export function infoCommand(o: InfoOptions): number {
    const parsed = parseRule(o.rule);
    if (parsed.problems.length) throw new UsageError(`bad rule '${o.rule}': ${parsed.problems.map(p => p.message).join('; ')}`);
    const matches = matchRule(parsed.parts.map(p => p.glob));
    if (matches.length === 0) {
        process.stderr.write(`whamm info: no event matches '${o.rule}'\n`);
        return 2;
    }
    const out: string[] = [];
    for (const m of matches) {
        const e = m.event;
        out.push(`${e.rule}${m.modes.length ? `  modes: ${m.modes.join(', ')}` : ''}`);
        if (e.doc) out.push(`    ${e.doc}`);
        if (o.vars) {
            const vars = boundVarsOf(e, m.modes.length === 1 ? m.modes[0] : undefined);
            for (const v of vars) {
                const name = v.family ? `${v.name}N` : v.name;
                out.push(`    var ${name}: ${v.type}${v.static ? '  (static)' : ''}${v.modes ? `  [${v.modes.join(', ')} only]` : ''}`);
            }
        }
        if (o.fns) {
            for (const f of boundFnsOf(e)) {
                out.push(`    fn ${f.name}(${f.params.map(p => `${p.name}: ${p.type}`).join(', ')})${f.ret ? ` -> ${f.ret}` : ''}`);
            }
        }
    }
    process.stdout.write(out.join('\n') + '\n');
    return 0;
}
