// Runs one whamm CLI invocation in a child process: the bundled out/cli.cjs under the extension host's
// own Node (Electron in desktop VS Code, hence ELECTRON_RUN_AS_NODE), or a user-configured executable.
// Output is streamed to a sink as it arrives; cancellation kills the process.
// What the app may reach (whamm.env, whamm.dirs) travels as --env/--dir/--dir-ro flags of `run` and
// `coverage`, never as the CLI process's own environment (a variable such as NODE_OPTIONS would
// otherwise run code in the CLI).
import { spawn } from 'node:child_process';
import type * as vscode from 'vscode';

export interface CliInvocation {
    /** Bundled CLI module (out/cli.cjs); used unless `executable` is set. */
    cliModule: string;
    executable?: string;
    args: string[];
    cwd?: string;
}

export interface AppDir {
    /** Host directory (absolute). */
    host: string;
    /** The name the app sees (default: the host path). */
    guest?: string;
    readOnly?: boolean;
}

/** The CLI flags that grant `env` and `dirs` to the app. */
export function grantArgs(env: Record<string, string> = {}, dirs: AppDir[] = []): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(env)) out.push('--env', `${k}=${v}`);
    for (const d of dirs) out.push(d.readOnly ? '--dir-ro' : '--dir', d.guest ? `${d.host}::${d.guest}` : d.host);
    return out;
}

/** `args` with the grant flags placed before the app's own arguments (after `--`). */
export function withGrants(args: string[], env?: Record<string, string>, dirs?: AppDir[]): string[] {
    const grants = grantArgs(env, dirs);
    if (grants.length === 0) return args;
    const dd = args.indexOf('--');
    return dd < 0 ? [...args, ...grants] : [...args.slice(0, dd), ...grants, ...args.slice(dd)];
}

export interface CliResult {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    cancelled: boolean;
}

export interface CliSink {
    stdout(chunk: string): void;
    stderr(chunk: string): void;
}

const KILL_GRACE_MS = 2000;

export function commandLine(inv: CliInvocation): { command: string; args: string[] } {
    return inv.executable
        ? { command: inv.executable, args: inv.args }
        : { command: process.execPath, args: [inv.cliModule, ...inv.args] };
}

export function runCli(inv: CliInvocation, sink: CliSink, token?: vscode.CancellationToken): Promise<CliResult> {
    const { command, args } = commandLine(inv);
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (!inv.executable) env.ELECTRON_RUN_AS_NODE = '1';
    return new Promise<CliResult>((resolve) => {
        let stdout = '';
        let stderr = '';
        let cancelled = false;
        let settled = false;
        const child = spawn(command, args, { cwd: inv.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (d: string) => { stdout += d; sink.stdout(d); });
        child.stderr.on('data', (d: string) => { stderr += d; sink.stderr(d); });
        const finish = (r: Omit<CliResult, 'stdout' | 'stderr' | 'cancelled'>) => {
            if (settled) return;
            settled = true;
            cancelSub?.dispose();
            resolve({ ...r, stdout, stderr, cancelled });
        };
        const kill = () => {
            cancelled = true;
            child.kill('SIGTERM');
            setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, KILL_GRACE_MS).unref();
        };
        const cancelSub = token?.onCancellationRequested(kill);
        if (token?.isCancellationRequested) kill();
        child.on('error', (err) => {
            stderr += `${err.message}\n`;
            sink.stderr(`${err.message}\n`);
            finish({ exitCode: null, signal: null });
        });
        child.on('close', (code, signal) => finish({ exitCode: code, signal }));
    });
}
