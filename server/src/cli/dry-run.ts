// `whamm instr --dry-run [--json]`: the plan of injections (preview/plan.ts) instead of a written module.
// With --json the plan is printed as JSON; without, one line per site and per injection.
import path from 'node:path';
import { loadSourceMapper } from '../mapping/index.js';
import { decodeModule } from '../wasm/index.js';
import { dryRun } from '../preview/plan.js';
import { InputError, readApp, readInput } from './io.js';

export interface DryRunOptions { app: string; script: string; userLibs: Map<string, string>; json: boolean }

export async function dryRunCommand(o: DryRunOptions): Promise<number> {
    const bytes = await readApp(o.app);
    const script = readInput(o.script, 'script').toString('utf8');
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    let module;
    try { module = decodeModule(bytes); } catch (e) { throw new InputError(`${o.app}: ${(e as Error).message}`); }
    const mapper = loadSourceMapper(module, path.resolve(o.app), { searchRoots: [process.cwd()] });
    const { plan } = await dryRun({ app: bytes, appPath: path.resolve(o.app), module, mapper, script, scriptPath: o.script, userLibs: libs, siteLimit: Number.MAX_SAFE_INTEGER });
    if (plan.error) {
        process.stderr.write(plan.error.endsWith('\n') ? plan.error : `${plan.error}\n`);
        return 2;
    }
    if (o.json) {
        process.stdout.write(JSON.stringify(plan) + '\n');
        return 0;
    }
    for (const p of plan.probes) {
        process.stdout.write(`probe ${p.index} ${p.rule}: ${p.sites} sites, ${p.injections} injections${p.noMatch ? ` — matches nothing: ${p.noMatch}` : ''}\n`);
    }
    for (const x of plan.injections) {
        process.stdout.write(`${x.where} fid ${x.fid} pc ${x.pc} opidx ${x.opidx} probe ${x.probe}: ${x.code.map(c => c.trim()).join('; ')}\n`);
    }
    const a = plan.added;
    process.stdout.write(`added: ${a.imports.length} imports, ${a.functions.length} functions, ${a.globals.length} globals, ${a.exports.length} exports\n`);
    for (const w of plan.warnings) process.stderr.write(`whamm instr: warning: ${w}\n`);
    return 0;
}
