// Helpers for engine tests: compile WAT with wabt, instrument, run, and read the report rows.
import binaryen from 'binaryen';
import { instrument, type InstrumentResult } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';

export { wat } from './wat.js';

/** Validates with binaryen and with V8. */
export function validates(bytes: Uint8Array): boolean {
    if (!WebAssembly.validate(bytes)) return false;
    const m = binaryen.readBinary(bytes);
    try {
        m.setFeatures(binaryen.Features.All);
        return m.validate() !== 0;
    } finally {
        m.dispose();
    }
}

export interface RunOutcome { stdout: string; stderr: string; exitCode: number; rows: ReportRow[]; result: InstrumentResult }
export interface ReportRow { name: string; type: string; fname: string; fid: string; pc: string; probe: string; value: string }

export async function instrumentAndRun(app: Uint8Array, script: string, opts: { userLibs?: Map<string, Uint8Array> } = {}): Promise<RunOutcome> {
    const result = await instrument({ app, script, userLibs: opts.userLibs });
    let stdout = '', stderr = '';
    const r = await runModule(result.bytes, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; }, userLibs: opts.userLibs });
    return { stdout, stderr, exitCode: r.exitCode, rows: parseRows(stdout), result };
}

export function parseRows(text: string): ReportRow[] {
    const lines = text.split('\n');
    const b = lines.findIndex(l => l.includes('REPORT CSV FLUSH'));
    if (b < 0) return [];
    // A row's id is a number, or a tuple of global indices for a str/tuple script global: `(8; 9), ...`.
    return lines.slice(b + 2).filter(l => /^(\d+|\(\d+(; \d+)*\)), /.test(l)).map(l => {
        const f = l.split(', ');
        return { name: f[2], type: f[3], fname: f[6], fid: f[7], pc: f[8], probe: f[9].replace(/^\d+_/, ''), value: f.slice(10).join(', ') };
    });
}

/** Value of the report variable `name` (the single row, or the row at a given pc). */
export function valueOf(rows: ReportRow[], name: string, pc?: number): string | undefined {
    const hits = rows.filter(r => r.name === name && (pc === undefined || r.pc === String(pc)));
    if (hits.length > 1) throw new Error(`${hits.length} rows named ${name}`);
    return hits[0]?.value;
}
