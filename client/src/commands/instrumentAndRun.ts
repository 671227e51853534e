// "Whamm: Instrument and Run": `whamm instr` on the chosen app with the script, then `whamm run` on the
// result, with a cancellable progress notification and everything written to the Whamm output channel.
// The outcome is returned (for callers such as tests) and published on `runs` for the report view.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli, withGrants, type CliInvocation, type CliResult } from '../cliProcess.js';
import type { WhammOutput } from '../output.js';
import { splitRunOutput } from '../report.js';
import { readSettings, workspaceRoot } from '../settings.js';
import { requireTrust } from '../trust.js';
import { resolveApp } from './selectApp.js';

export interface RunOverrides {
    app?: string;
    args?: string[];
    /** Do not show notifications (used by tests and by callers that present the outcome themselves). */
    quiet?: boolean;
    /** Cancels the run like the notification's Cancel button (e.g. a test run's own token). */
    token?: vscode.CancellationToken;
}

export interface RunOutcome {
    script: string;
    app: string;
    instrumented: string;
    /** 'instr' when instrumentation failed, 'run' when it got as far as running. */
    phase: 'instr' | 'run';
    exitCode: number | null;
    cancelled: boolean;
    appOutput: string;
    reportCsv: string | undefined;
    stderr: string;
    durationMs: number;
}

export interface RunContext {
    extension: vscode.ExtensionContext;
    output: WhammOutput;
    runs: vscode.EventEmitter<RunOutcome>;
}

function scriptDocument(target: vscode.Uri | undefined): Thenable<vscode.TextDocument> | undefined {
    if (target instanceof vscode.Uri) return vscode.workspace.openTextDocument(target);
    const doc = vscode.window.activeTextEditor?.document;
    return doc?.languageId === 'whamm' ? Promise.resolve(doc) : undefined;
}

function runsDir(ctx: vscode.ExtensionContext): string {
    const base = (ctx.storageUri ?? ctx.globalStorageUri).fsPath;
    const dir = path.join(base, 'runs');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

/** The script as the user sees it: unsaved edits are run from a copy, never written over their file. */
function scriptFile(doc: vscode.TextDocument, dir: string): string {
    if (!doc.isUntitled && !doc.isDirty && doc.uri.scheme === 'file') return doc.uri.fsPath;
    const name = doc.isUntitled ? 'untitled.mm' : path.basename(doc.uri.fsPath);
    const copy = path.join(dir, `unsaved-${name}`);
    fs.writeFileSync(copy, doc.getText());
    return copy;
}

function quoteArg(a: string): string {
    return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export async function instrumentAndRun(rc: RunContext, target?: vscode.Uri, overrides: RunOverrides = {}): Promise<RunOutcome | undefined> {
    if (!requireTrust('Instrument and Run')) return undefined;
    const docPromise = scriptDocument(target);
    if (!docPromise) {
        void vscode.window.showErrorMessage('Whamm: open a .mm script (or pass one) to instrument and run.');
        return undefined;
    }
    const doc = await docPromise;
    const app = await resolveApp(rc.extension.workspaceState, overrides.app);
    if (!app) {
        void vscode.window.showWarningMessage('Whamm: no app chosen. Set "whamm.app" or pick a .wasm file.');
        return undefined;
    }
    if (!fs.existsSync(app)) {
        void vscode.window.showErrorMessage(`Whamm: the app does not exist: ${app}`);
        return undefined;
    }

    const settings = readSettings(doc.uri);
    const dir = runsDir(rc.extension);
    const script = scriptFile(doc, dir);
    const instrumented = path.join(dir, `${path.basename(app, '.wasm')}.instr.wasm`);
    const libs = Object.entries(settings.userLibs).map(([k, v]) => `${k}=${v}`).join(',');
    const libArgs = libs ? ['--user-libs', libs] : [];
    const appArgs = overrides.args ?? settings.args;
    const base: Omit<CliInvocation, 'args'> = {
        cliModule: rc.extension.asAbsolutePath('out/cli.cjs'),
        executable: settings.cliPath,
        cwd: workspaceRoot() ?? path.dirname(app),
    };
    const out = rc.output;
    const sink = { stdout: (s: string) => out.append(s), stderr: (s: string) => out.append(s) };
    const started = Date.now();

    const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Whamm', cancellable: true },
        async (progress, progressToken): Promise<RunOutcome> => {
            const cancel = new vscode.CancellationTokenSource();
            const subs = [progressToken, overrides.token].map(t => t?.onCancellationRequested(() => cancel.cancel()));
            if (progressToken.isCancellationRequested || overrides.token?.isCancellationRequested) cancel.cancel();
            const token = cancel.token;
            const step = async (label: string, args: string[]): Promise<CliResult> => {
                progress.report({ message: label });
                out.appendLine(`\n▶ whamm ${args.map(quoteArg).join(' ')}`);
                return runCli({ ...base, args }, sink, token);
            };
            const finish = (phase: RunOutcome['phase'], r: CliResult): RunOutcome => {
                const split = phase === 'run' ? splitRunOutput(r.stdout) : { appOutput: '', reportCsv: undefined };
                return {
                    script, app, instrumented, phase, exitCode: r.exitCode, cancelled: r.cancelled,
                    appOutput: split.appOutput, reportCsv: split.reportCsv, stderr: r.stderr,
                    durationMs: Date.now() - started,
                };
            };
            try {
                const instr = await step(`instrumenting ${path.basename(app)}…`,
                    ['instr', '--app', app, '--script', script, ...libArgs, '-o', instrumented]);
                if (instr.cancelled || instr.exitCode !== 0) return finish('instr', instr);
                // The app gets whamm.env and whamm.dirs as --env/--dir flags, nothing else.
                const run = await step(`running ${path.basename(instrumented)}…`,
                    withGrants(['run', instrumented, ...libArgs, ...(appArgs.length ? ['--', ...appArgs] : [])], settings.env, settings.dirs));
                return finish('run', run);
            } finally {
                subs.forEach(s => s?.dispose());
                cancel.dispose();
            }
        });

    const status = outcome.cancelled ? 'cancelled'
        : outcome.exitCode === null ? 'could not start the CLI'
        : `exit code ${outcome.exitCode}`;
    out.appendLine(`■ ${outcome.phase === 'instr' ? 'instrumentation' : 'run'} ${status} (${outcome.durationMs} ms)`);
    rc.runs.fire(outcome);
    if (!overrides.quiet) {
        const show = 'Show Output';
        const failed = outcome.phase === 'instr' && !outcome.cancelled;
        const msg = failed ? `Whamm: instrumentation failed (${status}).` : `Whamm: run ${status}.`;
        void (failed ? vscode.window.showErrorMessage(msg, show) : vscode.window.showInformationMessage(msg, show))
            .then(c => { if (c === show) out.show(); });
    }
    return outcome;
}
