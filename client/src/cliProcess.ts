// Runs one whamm CLI invocation in a child process: the bundled out/cli.cjs under the extension host's
// own Node (Electron in desktop VS Code, hence ELECTRON_RUN_AS_NODE), or a user-configured executable.
// Output is streamed to a sink as it arrives; cancellation kills the process.
import { spawn } from 'node:child_process';
import type * as vscode from 'vscode';

export interface CliInvocation {
    /** Bundled CLI module (out/cli.cjs); used unless `executable` is set. */
    cliModule: string;
    executable?: string;
    args: string[];
    cwd?: string;
    env?: Record<string, string>;
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
    const env: NodeJS.ProcessEnv = { ...process.env, ...inv.env };
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
