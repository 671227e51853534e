import fs from 'node:fs';
import path from 'node:path';
import { instrument, ScriptError } from '../engine/instrument.js';
import { InputError, readInput } from './io.js';

export interface InstrCommandOptions {
    app: string;
    script: string;
    output: string;
    userLibs: Map<string, string>;
    testing: boolean;
}

export async function instrCommand(o: InstrCommandOptions): Promise<number> {
    const app = readInput(o.app, 'app');
    const script = readInput(o.script, 'script').toString('utf8');
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    if (path.resolve(o.output) === path.resolve(o.app)) {
        // Only when asked explicitly (-o names the app) is the input replaced.
        process.stderr.write(`whamm instr: note: overwriting the app ${o.app} as -o asks\n`);
    }
    let result;
    try {
        result = await instrument({ app, script, scriptPath: o.script, userLibs: libs, testing: o.testing });
    } catch (e) {
        if (e instanceof ScriptError) {
            process.stderr.write(e.message + '\n');
            return 2;
        }
        if (e instanceof Error && e.name === 'WasmDecodeError') throw new InputError(`${o.app}: ${e.message}`);
        throw e;
    }
    for (const w of result.warnings) process.stderr.write(`whamm instr: warning: ${w}\n`);
    fs.mkdirSync(path.dirname(path.resolve(o.output)), { recursive: true });
    fs.writeFileSync(o.output, result.bytes);
    writeSiteTable(siteTablePath(o.output), o, result.sites);
    return 0;
}

export function siteTablePath(output: string): string {
    return output.replace(/\.wasm$/, '') + '.sites.json';
}

/** The site table, one compact row per match site (it can have a million rows). */
function writeSiteTable(file: string, o: InstrCommandOptions, sites: { fid: number; fname: string; pc: number; opidx: number; offset: number; probe: number; rule: string }[]): void {
    const rules: string[] = [];
    const ruleIds = new Map<string, number>();
    const parts: string[] = [];
    for (const s of sites) {
        let r = ruleIds.get(s.rule);
        if (r === undefined) { r = rules.length; rules.push(s.rule); ruleIds.set(s.rule, r); }
        parts.push(`[${s.fid},${s.pc},${s.opidx},${s.offset},${s.probe},${r}]`);
    }
    const head = JSON.stringify({ app: path.resolve(o.app), script: path.resolve(o.script), rules, columns: ['fid', 'pc', 'opidx', 'offset', 'probe', 'rule'] });
    fs.writeFileSync(file, head.slice(0, -1) + ',"sites":[\n' + parts.join(',\n') + '\n]}\n');
}
