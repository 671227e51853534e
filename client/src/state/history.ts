// The runs a user made, kept across window reloads: metadata in workspace state, each run's outcome
// (protocol RunResultJson) in a file of the extension's storage. The Report view restores the last one
// and compares any two; a run is stale once its script or app changed since.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Memento } from 'vscode';
import type { RunResultJson } from '../run/results.js';

export interface StoredRun {
    id: string;
    title: string;
    time: number;
    app: string;
    /** The script file the user ran (their file, not a copy), and a hash of the text that ran. */
    script?: string;
    scriptHash?: string;
    appMtime?: number;
    /** Where the outcome is stored. */
    file: string;
}

const KEY = 'whamm.runs';
const KEEP = 10;

export function textHash(text: string): string {
    return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function mtimeOf(file: string): number | undefined {
    try { return fs.statSync(file).mtimeMs; } catch { return undefined; }
}

/** Why `run` no longer describes the script and app as they are now, or undefined when it still does. */
export function staleReason(run: Pick<StoredRun, 'script' | 'scriptHash' | 'app' | 'appMtime'>, scriptText: string | undefined, appMtime: number | undefined): string | undefined {
    if (run.scriptHash && scriptText !== undefined && textHash(scriptText) !== run.scriptHash) return 'the script changed since this run';
    if (run.appMtime !== undefined && appMtime !== undefined && appMtime !== run.appMtime) return 'the app was rebuilt since this run';
    if (run.appMtime !== undefined && appMtime === undefined) return 'the app is gone';
    return undefined;
}

export class RunHistory {
    constructor(private readonly state: Memento, private readonly dir: string) {}

    list(): StoredRun[] {
        return (this.state.get<StoredRun[]>(KEY) ?? []).filter(r => fs.existsSync(r.file));
    }

    last(): StoredRun | undefined {
        return this.list()[0];
    }

    get(id: string): StoredRun | undefined {
        return this.list().find(r => r.id === id);
    }

    load(run: StoredRun): RunResultJson | undefined {
        try {
            return JSON.parse(fs.readFileSync(run.file, 'utf8')) as RunResultJson;
        } catch {
            return undefined;
        }
    }

    /** Records a run (newest first); the oldest beyond the last ten are forgotten, their files removed. */
    async add(meta: Omit<StoredRun, 'id' | 'file' | 'time'>, result: RunResultJson): Promise<StoredRun> {
        fs.mkdirSync(this.dir, { recursive: true });
        const id = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
        const file = path.join(this.dir, `run-${id}.json`);
        fs.writeFileSync(file, JSON.stringify(result));
        const run: StoredRun = { ...meta, id, file, time: Date.now() };
        const all = [run, ...this.list()];
        for (const old of all.slice(KEEP)) fs.rmSync(old.file, { force: true });
        await this.state.update(KEY, all.slice(0, KEEP));
        return run;
    }
}
