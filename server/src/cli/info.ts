import { boundFnsOf, boundVarsOf, matchRule } from '../catalog/index.js';
import { parseRule } from '../language/rule-parser.js';
import { UsageError } from './args.js';

export interface InfoOptions { rule: string; vars: boolean; fns: boolean }

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
