// `--report-json FILE` of `whamm run` and `whamm coverage`: the run's outcome as JSON for the editor
// (protocol RunResultJson): exit code, the trap with its source line, the report as values, debug info.
import fs from 'node:fs';
import path from 'node:path';
import type { RunResultJson } from '../protocol.js';
import { decodeModule, type WasmModule } from '../wasm/index.js';
import { siteTablePath } from './site-table-file.js';

export function writeRunJson(file: string, json: RunResultJson): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(json, null, 1) + '\n');
}

/** The app an instrumented module was made from, as its site table (written by `whamm instr`) names it. */
export function appOfInstrumented(module: string): string | undefined {
    const table = siteTablePath(module);
    try {
        const fd = fs.openSync(table, 'r');
        try {
            const head = Buffer.alloc(8192);
            const n = fs.readSync(fd, head, 0, head.length, 0);
            const m = /^\{(?:"format":"whamm-sites",)?"app":("(?:[^"\\]|\\.)*")/.exec(head.subarray(0, n).toString('utf8'));
            return m ? JSON.parse(m[1]) as string : undefined;
        } finally {
            fs.closeSync(fd);
        }
    } catch {
        return undefined;
    }
}

/** Function index -> name of every function the app's name section names. */
export function functionNames(app: WasmModule | Uint8Array | undefined): Record<string, string> | undefined {
    if (!app) return undefined;
    try {
        const m = app instanceof Uint8Array ? decodeModule(app) : app;
        return Object.fromEntries([...m.names.funcs].map(([i, n]) => [String(i), n]));
    } catch {
        return undefined;
    }
}
