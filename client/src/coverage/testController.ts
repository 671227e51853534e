// "Whamm: Run with Coverage" through VS Code's own test coverage: a TestController with a Coverage run
// profile. A run calls `whamm coverage --json --report-json` on the app in a child process; its report
// becomes one FileCoverage per source file found on disk (details handed over lazily), so gutters, the
// Test Coverage view and per-file percentages are VS Code's. A trap fails the test with a message located
// at the trapping line, and the app's output is attached to the run. An app without debug info gets a
// function listing (a read-only document) whose function coverage the Test Coverage view shows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli, withGrants } from '../cliProcess.js';
import { resolveApp } from '../commands/selectApp.js';
import type { WhammOutput } from '../output.js';
import { readRunResult, trapSummary, type RunResultJson } from '../run/results.js';
import { readSettings, workspaceRoot } from '../settings.js';
import { requireTrust } from '../trust.js';
import { functionListing, loadCoverage, summarize, type FileCoverage, type LoadedCoverage } from './model.js';
import type { CoverageStore } from './store.js';

/** Scheme of the function listing of an app without debug info. */
export const FUNCTIONS_SCHEME = 'whamm-functions';

class WhammFileCoverage extends vscode.FileCoverage {
    constructor(uri: vscode.Uri, readonly data: FileCoverage) {
        const s = summarize(data);
        super(uri,
            new vscode.TestCoverageCount(s.linesHit, s.linesFound),
            s.branchesFound ? new vscode.TestCoverageCount(s.branchesHit, s.branchesFound) : undefined,
            s.functionsFound ? new vscode.TestCoverageCount(s.functionsHit, s.functionsFound) : undefined);
    }
}

/** Line, branch and function details of one file in VS Code's terms (lines are 0-based there). */
export function detailsOf(f: FileCoverage): vscode.FileCoverageDetail[] {
    const branchesByLine = new Map<number, vscode.BranchCoverage[]>();
    for (const b of f.branches) {
        // A branch whose line never ran was not reached: `false` (not 0) tells VS Code so.
        const reached = (f.lines.get(b.line) ?? 0) > 0 || b.outcomes.some(o => o.count > 0);
        const at = new vscode.Position(Math.max(0, b.line - 1), Math.max(0, b.column - 1));
        const list = branchesByLine.get(b.line) ?? [];
        for (const o of b.outcomes) list.push(new vscode.BranchCoverage(reached ? o.count : false, at, `${b.kind} ${o.label}`));
        branchesByLine.set(b.line, list);
    }
    const out: vscode.FileCoverageDetail[] = [];
    for (const [line, hits] of [...f.lines].sort((a, b) => a[0] - b[0])) {
        out.push(new vscode.StatementCoverage(hits, new vscode.Position(line - 1, 0), branchesByLine.get(line) ?? []));
    }
    for (const fn of f.functions) out.push(new vscode.DeclarationCoverage(fn.name, fn.calls, new vscode.Position(Math.max(0, fn.line - 1), 0)));
    return out;
}

/** The function listing of an app without debug info as a covered "file": one line and one declaration per function. */
export function functionsCoverage(c: LoadedCoverage): { uri: vscode.Uri; text: string; data: FileCoverage } {
    const listing = functionListing(c);
    const data: FileCoverage = {
        source: c.report.app, path: c.report.app, heat: new Map(), branches: [],
        lines: new Map(listing.lines.map((f, i) => [i + 3, f.calls])),
        functions: listing.lines.map((f, i) => ({ name: f.name, line: i + 3, calls: f.calls, instructions: f.instructions })),
    };
    const uri = vscode.Uri.from({ scheme: FUNCTIONS_SCHEME, path: `/${path.basename(c.report.app)} (functions)` });
    return { uri, text: listing.text, data };
}

export interface CoverageRunOptions {
    app?: string;
    script?: string;
    /** The user's script file when `script` is a copy of unsaved edits. */
    scriptFile?: string;
    args?: string[];
    quiet?: boolean;
    token?: vscode.CancellationToken;
}

export interface CoverageRunResult {
    app: string;
    exitCode: number | null;
    cancelled: boolean;
    stdout: string;
    stderr: string;
    coverage: LoadedCoverage | undefined;
    /** The run's outcome as the CLI wrote it (trap, the script's report, debug info kind). */
    result: RunResultJson | undefined;
    /** The message the failed test got, and where it points. */
    failure?: { text: string; file?: string; line?: number };
    durationMs: number;
}

export class WhammCoverage implements vscode.Disposable {
    readonly controller: vscode.TestController;
    readonly profile: vscode.TestRunProfile;
    private readonly disposables: vscode.Disposable[] = [];
    private readonly listings = new Map<string, string>();
    private readonly listingChanged = new vscode.EventEmitter<vscode.Uri>();

    constructor(private readonly extension: vscode.ExtensionContext, private readonly output: WhammOutput, private readonly store: CoverageStore,
        private readonly present: (r: CoverageRunResult, quiet: boolean) => void) {
        this.controller = vscode.tests.createTestController('whamm', 'Whamm');
        this.profile = this.controller.createRunProfile('Run with Coverage (Whamm)', vscode.TestRunProfileKind.Coverage,
            (request, token) => this.handle(request, token), true);
        this.profile.loadDetailedCoverage = async (_run, fc) => fc instanceof WhammFileCoverage ? detailsOf(fc.data) : [];
        this.controller.resolveHandler = async () => { await this.itemForApp(undefined, false); };
        this.disposables.push(this.controller, this.listingChanged, vscode.workspace.registerTextDocumentContentProvider(FUNCTIONS_SCHEME, {
            onDidChange: this.listingChanged.event,
            provideTextDocumentContent: uri => this.listings.get(uri.toString()) ?? 'No coverage run of this app in this window.\n',
        }));
    }

    /** The test item standing for an app (one per app; the app is what a coverage run executes). */
    private async itemForApp(app: string | undefined, ask: boolean): Promise<vscode.TestItem | undefined> {
        const p = app ?? (ask ? await resolveApp(this.extension.workspaceState) : readSettings().app);
        if (!p) return undefined;
        let item = this.controller.items.get(p);
        if (!item) {
            // No uri: the item stands for a binary, which an editor cannot show.
            item = this.controller.createTestItem(p, path.basename(p));
            item.description = 'whamm coverage';
            this.controller.items.add(item);
        }
        return item;
    }

    private async handle(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
        const items: vscode.TestItem[] = [];
        if (request.include?.length) items.push(...request.include);
        else {
            const item = await this.itemForApp(undefined, true);
            if (item) items.push(item);
        }
        for (const item of items) await this.runItem(request, item, { token });
    }

    /** "Whamm: Run with Coverage": a coverage test run for the chosen app. */
    async run(opts: CoverageRunOptions = {}): Promise<CoverageRunResult | undefined> {
        if (!requireTrust('Run with Coverage')) return undefined;
        const item = await this.itemForApp(opts.app, true);
        if (!item) {
            void vscode.window.showWarningMessage('Whamm: no app chosen. Set "whamm.app" or pick a .wasm file.');
            return undefined;
        }
        return this.runItem(new vscode.TestRunRequest([item], undefined, this.profile), item, opts);
    }

    /** Shows restored coverage (after a window reload) in VS Code's coverage views, as a finished run. */
    async restore(c: LoadedCoverage): Promise<void> {
        const item = await this.itemForApp(c.report.app, false);
        if (!item) return;
        const run = this.controller.createTestRun(new vscode.TestRunRequest([item], undefined, this.profile), `Whamm coverage: ${item.label} (restored)`, false);
        this.addCoverage(run, c);
        run.end();
    }

    private addCoverage(run: vscode.TestRun, c: LoadedCoverage): void {
        for (const [file, data] of c.files) run.addCoverage(new WhammFileCoverage(vscode.Uri.file(file), data));
        if (c.report.mapping === 'none' && c.report.unmappedFunctions.length) {
            const f = functionsCoverage(c);
            this.listings.set(f.uri.toString(), f.text);
            this.listingChanged.fire(f.uri);
            run.addCoverage(new WhammFileCoverage(f.uri, f.data));
        }
    }

    private async runItem(request: vscode.TestRunRequest, item: vscode.TestItem, opts: CoverageRunOptions): Promise<CoverageRunResult> {
        const app = item.id;
        const run = this.controller.createTestRun(request, `Whamm coverage: ${item.label}`, true);
        run.started(item);
        const started = Date.now();
        try {
            const r = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: `Whamm: coverage of ${item.label}`, cancellable: true },
                async (progress, progressToken) => {
                    const cancel = new vscode.CancellationTokenSource();
                    const subs = [progressToken, opts.token].map(t => t?.onCancellationRequested(() => cancel.cancel()));
                    try {
                        progress.report({ message: 'instrumenting and running…' });
                        return await this.collect(app, opts, cancel.token);
                    } finally {
                        subs.forEach(s => s?.dispose());
                        cancel.dispose();
                    }
                });
            const durationMs = Date.now() - started;
            // The app's output belongs to the run (Test Results shows it), in the terminal's line endings.
            const printed = r.stdout + r.stderr;
            if (printed) run.appendOutput(printed.replace(/\r?\n/g, '\r\n'), undefined, item);
            if (r.coverage) {
                this.addCoverage(run, r.coverage);
                this.store.set(r.coverage);
            }
            let failure: CoverageRunResult['failure'];
            if (r.cancelled) run.skipped(item);
            else if (r.exitCode === 0 && r.coverage) run.passed(item, durationMs);
            else {
                const trap = r.result?.trap;
                const root = workspaceRoot();
                const text = trap ? trapSummary(trap, root)
                    : r.exitCode !== 0 && r.exitCode !== null ? `The app exited with code ${r.exitCode}.${firstLine(r.stderr) ? ` ${firstLine(r.stderr)}` : ''}`
                    : firstLine(r.stderr) || 'whamm coverage gave no coverage';
                const message = new vscode.TestMessage(text);
                if (trap?.location) {
                    const pos = new vscode.Position(Math.max(0, trap.location.line - 1), Math.max(0, trap.location.column - 1));
                    message.location = new vscode.Location(vscode.Uri.file(trap.location.file), pos);
                }
                failure = { text, file: trap?.location?.file, line: trap?.location?.line };
                run.failed(item, message, durationMs);
            }
            const full: CoverageRunResult = { ...r, failure, durationMs };
            this.present(full, opts.quiet ?? false);
            return full;
        } finally {
            run.end();
        }
    }

    private async collect(app: string, opts: CoverageRunOptions, token: vscode.CancellationToken): Promise<Omit<CoverageRunResult, 'durationMs' | 'failure'>> {
        const settings = readSettings();
        const base = (this.extension.storageUri ?? this.extension.globalStorageUri).fsPath;
        const dir = path.join(base, 'coverage');
        fs.mkdirSync(dir, { recursive: true });
        const json = path.join(dir, 'coverage.json');
        const resultFile = path.join(dir, 'last-run.json');
        // An earlier run's files must never pass for this one's.
        for (const f of [json, resultFile]) fs.rmSync(f, { force: true });
        const libs = Object.entries(settings.userLibs).map(([k, v]) => `${k}=${v}`).join(',');
        const appArgs = opts.args ?? settings.args;
        const args = withGrants(['coverage', '--app', app, '--json', json, '--no-merge', '--report-json', resultFile,
            ...(opts.script ? ['--script', opts.script] : []), ...(libs && opts.script ? ['--user-libs', libs] : []),
            ...(appArgs.length ? ['--', ...appArgs] : [])], settings.env, settings.dirs);
        const out = this.output;
        out.appendLine(`\n▶ whamm ${args.join(' ')}`);
        const r = await runCli({ cliModule: this.extension.asAbsolutePath('out/cli.cjs'), executable: settings.cliPath, args,
            cwd: workspaceRoot() ?? path.dirname(app) }, { stdout: s => out.append(s), stderr: s => out.append(s) }, token);
        out.appendLine(`■ coverage ${r.cancelled ? 'cancelled' : `exit code ${r.exitCode}`}`);
        let coverage: LoadedCoverage | undefined;
        if (!r.cancelled && fs.existsSync(json)) {
            try {
                coverage = loadCoverage(JSON.parse(fs.readFileSync(json, 'utf8')), coverageRoots(app), p => fs.existsSync(p));
                if (coverage.missing.length) out.appendLine(`[coverage] ${coverage.missing.length} source file(s) named by the debug info are not on disk (e.g. ${coverage.missing.slice(0, 3).join(', ')})`);
            } catch (e) {
                out.appendLine(`[coverage] could not read ${json}: ${(e as Error).message}`);
            }
        }
        const result = r.cancelled ? undefined : readRunResult(resultFile);
        return { app, exitCode: r.exitCode, cancelled: r.cancelled, stdout: r.stdout, stderr: r.stderr, coverage, result };
    }

    /** "Whamm: Export lcov": the last run's coverage as an lcov tracefile. */
    async exportLcov(target: vscode.Uri | undefined, lcov: (c: LoadedCoverage) => string): Promise<string | undefined> {
        const c = this.store.current;
        if (!c) {
            void vscode.window.showInformationMessage('Whamm: no coverage yet. Run "Whamm: Run with Coverage" first.');
            return undefined;
        }
        const root = workspaceRoot();
        const dest = target ?? await vscode.window.showSaveDialog({
            title: 'Export coverage as lcov', filters: { lcov: ['info', 'lcov'] },
            defaultUri: root ? vscode.Uri.file(path.join(root, 'coverage', 'lcov.info')) : undefined,
        });
        if (!dest) return undefined;
        fs.mkdirSync(path.dirname(dest.fsPath), { recursive: true });
        fs.writeFileSync(dest.fsPath, lcov(c));
        if (!target) void vscode.window.showInformationMessage(`Whamm: coverage written to ${vscode.workspace.asRelativePath(dest)}`);
        return dest.fsPath;
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}

/** Where the sources a coverage report names are looked for: the workspace folders, then the app's folder. */
export function coverageRoots(app: string): string[] {
    return [...(vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath), path.dirname(app)];
}

function firstLine(s: string): string {
    return s.split('\n').map(l => l.trim()).find(l => l && !l.startsWith('whamm coverage:')) ?? '';
}
