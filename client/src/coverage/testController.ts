// "Whamm: Run with Coverage" through VS Code's own test coverage: a TestController with a Coverage run
// profile. A run calls `whamm coverage --json` on the app in a child process; its report becomes one
// FileCoverage per source file found on disk, and the line / branch / function details are handed over
// lazily (loadDetailedCoverage), so gutters, the Test Coverage view and per-file percentages are VS Code's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli, withGrants } from '../cliProcess.js';
import { splitRunOutput } from '../report.js';
import { resolveApp } from '../commands/selectApp.js';
import type { WhammOutput } from '../output.js';
import { readSettings, workspaceRoot } from '../settings.js';
import { requireTrust } from '../trust.js';
import { exportLcov, loadCoverage, summarize, type FileCoverage, type LoadedCoverage } from './model.js';
import type { CoverageStore } from './store.js';

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

export interface CoverageRunOptions {
    app?: string;
    script?: string;
    args?: string[];
    quiet?: boolean;
    token?: vscode.CancellationToken;
}

export interface CoverageRunResult {
    app: string;
    exitCode: number | null;
    cancelled: boolean;
    stderr: string;
    coverage: LoadedCoverage | undefined;
    /** The script's report, when the run was given a script. */
    reportCsv: string | undefined;
    durationMs: number;
}

export class WhammCoverage implements vscode.Disposable {
    readonly controller: vscode.TestController;
    readonly profile: vscode.TestRunProfile;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly extension: vscode.ExtensionContext, private readonly output: WhammOutput, private readonly store: CoverageStore) {
        this.controller = vscode.tests.createTestController('whamm', 'Whamm');
        this.profile = this.controller.createRunProfile('Run with Coverage (Whamm)', vscode.TestRunProfileKind.Coverage,
            (request, token) => this.handle(request, token), true);
        this.profile.loadDetailedCoverage = async (_run, fc) => fc instanceof WhammFileCoverage ? detailsOf(fc.data) : [];
        this.controller.resolveHandler = async () => { await this.itemForApp(undefined, false); };
        this.disposables.push(this.controller);
    }

    /** The test item standing for an app (one per app; the app is what a coverage run executes). */
    private async itemForApp(app: string | undefined, ask: boolean): Promise<vscode.TestItem | undefined> {
        const p = app ?? (ask ? await resolveApp(this.extension.workspaceState) : readSettings().app);
        if (!p) return undefined;
        let item = this.controller.items.get(p);
        if (!item) {
            item = this.controller.createTestItem(p, path.basename(p), vscode.Uri.file(p));
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
            if (r.coverage) {
                for (const [file, data] of r.coverage.files) run.addCoverage(new WhammFileCoverage(vscode.Uri.file(file), data));
                this.store.set(r.coverage);
            }
            if (r.cancelled) run.skipped(item);
            else if (r.exitCode === 0 && r.coverage) run.passed(item, durationMs);
            else run.failed(item, new vscode.TestMessage(r.stderr.trim() || `whamm coverage exited with ${r.exitCode}`), durationMs);
            if (!opts.quiet && !r.cancelled && r.exitCode !== 0) {
                void vscode.window.showErrorMessage(`Whamm: coverage run failed (exit code ${r.exitCode}).`, 'Show Output')
                    .then(c => { if (c) this.output.show(false); });
            }
            return { ...r, durationMs };
        } finally {
            run.end();
        }
    }

    private async collect(app: string, opts: CoverageRunOptions, token: vscode.CancellationToken): Promise<Omit<CoverageRunResult, 'durationMs'>> {
        const settings = readSettings();
        const base = (this.extension.storageUri ?? this.extension.globalStorageUri).fsPath;
        const dir = path.join(base, 'coverage');
        fs.mkdirSync(dir, { recursive: true });
        const json = path.join(dir, 'coverage.json');
        const libs = Object.entries(settings.userLibs).map(([k, v]) => `${k}=${v}`).join(',');
        const appArgs = opts.args ?? settings.args;
        const args = withGrants(['coverage', '--app', app, '--json', json, '--no-merge',
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
                const roots = [...(vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath), path.dirname(app)];
                coverage = loadCoverage(JSON.parse(fs.readFileSync(json, 'utf8')), roots, p => fs.existsSync(p));
                if (coverage.missing.length) out.appendLine(`[coverage] ${coverage.missing.length} source file(s) named by the debug info are not on disk (e.g. ${coverage.missing.slice(0, 3).join(', ')})`);
            } catch (e) {
                out.appendLine(`[coverage] could not read ${json}: ${(e as Error).message}`);
            }
        }
        const reportCsv = opts.script ? splitRunOutput(r.stdout).reportCsv : undefined;
        return { app, exitCode: r.exitCode, cancelled: r.cancelled, stderr: r.stderr, coverage, reportCsv };
    }

    /** "Whamm: Export lcov": the last run's coverage as an lcov tracefile. */
    async exportLcov(target?: vscode.Uri): Promise<string | undefined> {
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
        fs.writeFileSync(dest.fsPath, exportLcov(c));
        if (!target) void vscode.window.showInformationMessage(`Whamm: coverage written to ${vscode.workspace.asRelativePath(dest)}`);
        return dest.fsPath;
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}
