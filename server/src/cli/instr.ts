import fs from 'node:fs';
import path from 'node:path';
import { instrument, ScriptError, type SiteTable } from '../engine/instrument.js';
import { InputError, readApp, readInput } from './io.js';
import { checkOutput, PlacedLog } from '../preview/validate.js';

export interface InstrCommandOptions {
    app: string;
    script: string;
    output: string;
    /** False when the output is the default name: then a file we did not write is never replaced. */
    explicitOutput?: boolean;
    userLibs: Map<string, string>;
    testing: boolean;
}

export async function instrCommand(o: InstrCommandOptions): Promise<number> {
    const app = await readApp(o.app);
    const script = readInput(o.script, 'script').toString('utf8');
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    if (o.explicitOutput === false && fs.existsSync(o.output) && !fs.existsSync(siteTablePath(o.output))) {
        // A default-named file without our site table beside it is the user's own: keep it.
        throw new InputError(`${o.output} exists and was not written by whamm; choose the output with -o OUT.wasm`);
    }
    if (path.resolve(o.output) === path.resolve(o.app)) {
        // Only when asked explicitly (-o names the app) is the input replaced.
        process.stderr.write(`whamm instr: note: overwriting the app ${o.app} as -o asks\n`);
    }
    let result;
    const placed = new PlacedLog();
    try {
        result = await instrument({ app, script, scriptPath: o.script, userLibs: libs, testing: o.testing, plan: placed });
    } catch (e) {
        if (e instanceof ScriptError) {
            process.stderr.write(e.message + '\n');
            return 2;
        }
        if (e instanceof Error && e.name === 'WasmDecodeError') throw new InputError(`${o.app}: ${e.message}`);
        throw e;
    }
    for (const w of result.warnings) process.stderr.write(`whamm instr: warning: ${w}\n`);
    // Never write a module that does not validate: name the probe whose code breaks it.
    const invalid = checkOutput(result.bytes, app, placed, p => ruleOfProbe(result.sites, p));
    if (invalid) {
        process.stderr.write(`whamm instr: error: ${invalid.message}; nothing written\n`);
        return 2;
    }
    fs.mkdirSync(path.dirname(path.resolve(o.output)), { recursive: true });
    fs.writeFileSync(o.output, result.bytes);
    writeSiteTable(siteTablePath(o.output), o, result.sites);
    return 0;
}

function ruleOfProbe(sites: SiteTable, probe: number): string {
    for (let i = 0; i < sites.length; i++) if (sites.probe[i] === probe) return sites.rules[sites.ruleId[i]];
    return `probe ${probe}`;
}

export function siteTablePath(output: string): string {
    return output.replace(/\.wasm$/, '') + '.sites.json';
}

/**
 * The site table beside the output: one compact row per match site (it can have a million rows):
 * `[fid, pc, opidx, module offset of the original instruction, probe index, rule index]`.
 */
function writeSiteTable(file: string, o: InstrCommandOptions, sites: SiteTable): void {
    const parts: string[] = new Array(sites.length);
    for (let i = 0; i < sites.length; i++) {
        parts[i] = `[${sites.fid[i]},${sites.pc[i]},${sites.opidx[i]},${sites.offset[i]},${sites.probe[i]},${sites.ruleId[i]}]`;
    }
    const head = JSON.stringify({ app: path.resolve(o.app), script: path.resolve(o.script), rules: sites.rules, columns: ['fid', 'pc', 'opidx', 'offset', 'probe', 'rule'] });
    fs.writeFileSync(file, head.slice(0, -1) + ',"sites":[\n' + parts.join(',\n') + '\n]}\n');
}
