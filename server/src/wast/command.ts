// `whamm wast FILE.wast...`: runs Whamm wast tests and prints one line per failure and a last line
// `N passed, M failed`. Exit code 0 only when every check passed (and at least one ran).
import fs from 'node:fs';
import path from 'node:path';
import { runWast, type InstrumentFn } from './harness.js';

export interface WastCommandOptions {
    files: string[];
    instrument: InstrumentFn;
    verbose?: boolean;
    /** See WastRunOptions.checkOriginal. */
    checkOriginal?: boolean;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
}

function display(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
}

export async function runWastFiles(o: WastCommandOptions): Promise<number> {
    const out = o.stdout ?? ((t: string) => { process.stdout.write(t); });
    const err = o.stderr ?? ((t: string) => { process.stderr.write(t); });
    let passed = 0, failed = 0, unreadable = 0;
    for (const file of o.files) {
        let source: string;
        try {
            source = fs.readFileSync(file, 'utf8');
        } catch (e) {
            err(`whamm wast: cannot read ${file}: ${(e as Error).message}\n`);
            unreadable++;
            continue;
        }
        const r = await runWast(source, file, {
            instrument: o.instrument,
            displayName: display(file),
            checkOriginal: o.checkOriginal,
            onFailure: line => out(`FAIL ${line}\n`),
            onPass: o.verbose ? line => out(`PASS ${line}\n`) : undefined,
            onNote: line => err(`${display(file)}: ${line}\n`),
        });
        passed += r.passed;
        failed += r.failed;
    }
    out(`${passed} passed, ${failed} failed\n`);
    if (unreadable) return 2;
    return failed === 0 && passed > 0 ? 0 : 1;
}
