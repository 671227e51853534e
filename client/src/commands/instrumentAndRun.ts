// "Whamm: Instrument and Run": `whamm instr` on the chosen app with the script, then `whamm run` on the
// result, with a cancellable progress notification and everything written to the Whamm output channel.
// The run's outcome comes back as JSON (`--report-json`); the outcome is returned (for callers such as
// tests) and published on `runs` for the report view, the trap marker and the notifications.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli, withGrants, type CliInvocation, type CliResult } from '../cliProcess.js';
import type { WhammOutput } from '../output.js';
import { readRunResult, type RunResultJson } from '../run/results.js';
import { readSettings, workspaceRoot } from '../settings.js';
import { requireTrust } from '../trust.js';
import { keepOnlyProbe } from '../sites/probeOnly.js';
import { NoAnswer, SERVER_ANSWER_MS, withDeadline } from '../deadline.js';
import { resolveApp } from './selectApp.js';

export interface RunOverrides {
    app?: string;
    args?: string[];
    /** Do not show notifications (used by tests and by callers that present the outcome themselves). */
    quiet?: boolean;
    /** Cancels the run like the notification's Cancel button (e.g. a test run's own token). */
    token?: vscode.CancellationToken;
    /** Instrument only this probe (0-based, in the script's order); the others become comments. */
    probe?: number;
}

export interface RunOutcome {
    script: string;
    app: string;
    instrumented: string;
    /** 'instr' when instrumentation failed, 'run' when it got as far as running. */
    phase: 'instr' | 'run';
    exitCode: number | null;
    cancelled: boolean;
    /** What the app and the CLI printed (app output, report flush, trap line). */
    stdout: string;
    stderr: string;
    /** The run's outcome as the CLI wrote it; undefined when it did not get as far. */
    result: RunResultJson | undefined;
    /** The text of the script that ran (for stale marking). */
    scriptText: string;
    /** The user's script file (not the copy of unsaved edits), when it has one. */
    scriptFile: string | undefined;
    /** Why instrumentation failed: the first error of the script, located. */
    instrError?: string;
    durationMs: number;
}

export interface RunContext {
    extension: vscode.ExtensionContext;
    output: WhammOutput;
    runs: vscode.EventEmitter<RunOutcome>;
    /** Tells the user how a run ended (notification, trap marker); set up by the run features. */
    present(outcome: RunOutcome, quiet: boolean): Promise<void>;
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
function scriptFile(doc: vscode.TextDocument, dir: string, text?: string): string {
    if (text === undefined && !doc.isUntitled && !doc.isDirty && doc.uri.scheme === 'file') return doc.uri.fsPath;
    const name = doc.isUntitled ? 'untitled.mm' : path.basename(doc.uri.fsPath);
    const copy = path.join(dir, `${text === undefined ? 'unsaved' : 'probe'}-${name}`);
    fs.writeFileSync(copy, text ?? doc.getText());
    return copy;
}

/**
 * The script's text with only probe `index` left (the language server's symbols give the probes' ranges),
 * or why it cannot be had: the server did not answer in time, or the script has no such probe (any more).
 */
async function oneProbeText(doc: vscode.TextDocument, index: number): Promise<{ text: string } | { error: string }> {
    let symbols: vscode.DocumentSymbol[];
    try {
        symbols = await withDeadline(vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri),
            SERVER_ANSWER_MS, 'the Whamm language server') ?? [];
    } catch (e) {
        const why = e instanceof NoAnswer ? e.message : `the Whamm language server failed (${(e as Error).message ?? String(e)})`;
        return { error: `${why} with the probes of ${path.basename(doc.uri.path)}, so the probe could not be run alone; nothing ran. "Whamm: Restart Language Server" starts it again.` };
    }
    const probes = symbols.filter(s => s.kind === vscode.SymbolKind.Event).map(s => ({ start: s.range.start.line, end: s.range.end.line }));
    return index < probes.length ? { text: keepOnlyProbe(doc.getText(), probes, index) }
        : { error: `${path.basename(doc.uri.path)} has no probe ${index + 1} (it has ${probes.length}); nothing ran.` };
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
    const one = overrides.probe !== undefined ? await oneProbeText(doc, overrides.probe) : undefined;
    if (one && 'error' in one) {
        rc.output.appendLine(`[run] ${one.error}`);
        void vscode.window.showErrorMessage(`Whamm: ${one.error}`);
        return undefined;
    }
    const only = one?.text;
    const script = scriptFile(doc, dir, only);
    const instrumented = path.join(dir, `${path.basename(app, '.wasm')}.instr.wasm`);
    const resultFile = path.join(dir, 'last-run.json');
    // Nothing of an earlier run may pass for this one's: a failed instr never leaves a module to run.
    for (const f of [instrumented, instrumented.replace(/\.wasm$/, '.sites.json'), resultFile]) fs.rmSync(f, { force: true });
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
            const finish = (phase: RunOutcome['phase'], r: CliResult): RunOutcome => ({
                script, app, instrumented, phase, exitCode: r.exitCode, cancelled: r.cancelled,
                stdout: r.stdout, stderr: r.stderr,
                result: phase === 'run' && !r.cancelled ? readRunResult(resultFile) : undefined,
                scriptText: only ?? doc.getText(), scriptFile: doc.uri.scheme === 'file' && !doc.isUntitled ? doc.uri.fsPath : undefined,
                instrError: phase === 'instr' && !r.cancelled && r.exitCode !== 0 ? firstProblem(doc, r.stderr) : undefined,
                durationMs: Date.now() - started,
            });
            try {
                const instr = await step(`instrumenting ${path.basename(app)}…`,
                    ['instr', '--app', app, '--script', script, ...libArgs, '-o', instrumented]);
                if (instr.cancelled || instr.exitCode !== 0) return finish('instr', instr);
                // The app gets whamm.env and whamm.dirs as --env/--dir flags, nothing else.
                const run = await step(`running ${path.basename(instrumented)}…`,
                    withGrants(['run', instrumented, ...libArgs, '--report-json', resultFile, '--app', app, ...(appArgs.length ? ['--', ...appArgs] : [])], settings.env, settings.dirs));
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
    // Told and recorded (Report view, run history) before the command returns.
    await rc.present(outcome, overrides.quiet ?? false);
    return outcome;
}

/**
 * The first error of a script that did not instrument: the editor's own diagnostic (what the user sees in
 * Problems) when there is one, else the CLI's first line.
 */
function firstProblem(doc: vscode.TextDocument, stderr: string): string {
    const d = vscode.languages.getDiagnostics(doc.uri).find(x => x.severity === vscode.DiagnosticSeverity.Error);
    if (d) return `${path.basename(doc.uri.fsPath || 'script')}:${d.range.start.line + 1}: ${d.message}`;
    const line = stderr.split('\n').map(l => l.trim()).find(Boolean) ?? 'unknown error';
    return line.replace(/^whamm \w+: /, '');
}
