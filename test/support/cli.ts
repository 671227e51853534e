// Runs the `whamm` CLI from source in a child process, as a user would run it (exit code, stdout, stderr).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './shared.js';

const MAIN = path.join(PROJECT_ROOT, 'server', 'src', 'cli', 'main.ts');
// tsx resolved from the project, so the CLI can run in any directory.
const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export function whamm(args: string[], cwd = os.tmpdir(), env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
        cwd, encoding: 'utf8', env: { ...process.env, ...env, WHAMM_CLI_MAIN: '1' }, timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}
