// Wires the run-result features into VS Code: how a run ends is told (notification with the trap's
// source line, the trap marker), coverage through the Testing API, the heat overlay with its legend and
// Hot spots view, the Report view (with charts and run comparison), the script CodeLenses, and the state
// that survives a window reload (the last runs and coverage, restored at activation). extension.ts calls
// registerRunFeatures once; what it returns joins the extension API (used by the e2e suite).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunContext, RunOutcome } from '../commands/instrumentAndRun.js';
import { exportLcov, loadCoverage, type LoadedCoverage } from '../coverage/model.js';
import { CoverageStore } from '../coverage/store.js';
import { coverageRoots, WhammCoverage, type CoverageRunOptions, type CoverageRunResult } from '../coverage/testController.js';
import { HeatOverlay, type AppliedHeat } from '../heat/overlay.js';
import { HotSpotsView } from '../heat/hotSpotsView.js';
import { ReportPanel, type RenderedChart } from '../report/panel.js';
import type { ReportTable } from '../report/table.js';
import { workspaceRoot } from '../settings.js';
import { SHOW_SITES, SitesLensProvider, type SendRequest } from '../sites/sitesLens.js';
import { mtimeOf, RunHistory, staleReason, textHash, type StoredRun } from '../state/history.js';
import { Notifier, type Shown } from './notifier.js';
import { noDebugInfoMessage, runVerdict, type RunResultJson } from './results.js';
import { TrapMarker, type TrapMark } from './trapMarker.js';

const REPORT_OPEN_KEY = 'whamm.reportOpen';

export const RunCommands = {
    runWithCoverage: 'whamm.runWithCoverage',
    exportLcov: 'whamm.exportLcov',
    showOverlays: 'whamm.showOverlays',
    hideOverlays: 'whamm.hideOverlays',
    showReport: 'whamm.showReport',
    exportReport: 'whamm.exportReport',
    exportChart: 'whamm.exportChart',
    compareRuns: 'whamm.compareRuns',
    showSites: SHOW_SITES,
} as const;

export interface RunFeaturesApi {
    /** Per-file line hits of the last coverage run (absolute path -> line -> hits), or undefined. */
    lastCoverage(): Record<string, Record<number, number>> | undefined;
    /** The heat decorations drawn now: per visible covered file, 1-based lines by heat level. */
    heatDecorations(): AppliedHeat[];
    heatLegend(): { text: string; accessibleLabel: string; visible: boolean };
    /** Rows of the Hot spots view ("Hottest lines: main.c:38 — 377 (3.5%)"). */
    hotSpotRows(): string[];
    /** Tables of the Report view, as shown (sorted). */
    reportTables(): ReportTable[];
    reportState(): { title: string; stale?: string; runId?: string; open: boolean };
    /** The charts the Report view's page says it drew (read from its DOM). */
    reportCharts(): RenderedChart[];
    runs(): { id: string; title: string }[];
    /** The last notifications the run features showed. */
    notifications(): Shown[];
    /** The trap marks drawn now. */
    trapMarks(): TrapMark[];
    onDidFinishCoverage: vscode.Event<CoverageRunResult>;
}

/** The features' half of the run context: how a finished run is told. */
export type Presenter = (outcome: RunOutcome, quiet: boolean) => Promise<void>;

export function registerRunFeatures(rc: Omit<RunContext, 'present'>, send: SendRequest): RunFeaturesApi & { present: Presenter } {
    const ctx = rc.extension;
    const storage = (ctx.storageUri ?? ctx.globalStorageUri).fsPath;
    const history = new RunHistory(ctx.workspaceState, path.join(storage, 'history'));
    const store = new CoverageStore();
    const notifier = new Notifier();
    const trapMarker = new TrapMarker();
    const coverage = new WhammCoverage(ctx, rc.output, store, (r, quiet) => void presentCoverage(r, quiet));
    const heat = new HeatOverlay(store);
    const hot = new HotSpotsView(store);
    const report = new ReportPanel(ctx.extensionUri, history);
    const lenses = new SitesLensProvider(ctx.workspaceState, send);
    const finished = new vscode.EventEmitter<CoverageRunResult>();
    ctx.subscriptions.push(store, coverage, heat, hot, report, lenses, finished, trapMarker);

    const SHOW_OUTPUT = 'Show Output', GO_TO_TRAP = 'Go to Trap';
    /** Trap or failure: an error with the located trap; a clean run only a status bar message. */
    function tell(result: RunResultJson | undefined, exitCode: number | null, quiet: boolean): void {
        trapMarker.set(result?.trap);
        const v = runVerdict(result, exitCode, workspaceRoot());
        if (v.level === 'none') { vscode.window.setStatusBarMessage(`$(check) ${v.text}`, 5000); return; }
        if (quiet) { notifier.record(v.level, v.text); return; }
        const actions = result?.trap?.location ? [GO_TO_TRAP, SHOW_OUTPUT] : [SHOW_OUTPUT];
        void notifier.notify(v.level, v.text, ...actions).then(c => {
            if (c === SHOW_OUTPUT) rc.output.show(false);
            else if (c === GO_TO_TRAP) void trapMarker.reveal();
        });
    }

    async function remember(title: string, result: RunResultJson, app: string, script: { text: string; file?: string } | undefined): Promise<void> {
        if (!result.report) return;
        const run = await history.add({ title, app, appMtime: mtimeOf(app), script: script?.file, scriptHash: script ? textHash(script.text) : undefined }, result);
        report.show(run, result);
    }

    const present: Presenter = async (o, quiet) => {
        if (o.cancelled) return;
        if (o.phase === 'instr') {
            trapMarker.set(undefined);
            const text = `Whamm: the script did not instrument, nothing ran: ${o.instrError ?? 'see the output'}`;
            if (quiet) notifier.record('error', text);
            else void notifier.notify('error', text, SHOW_OUTPUT).then(c => { if (c) rc.output.show(false); });
            // The report on screen is from an earlier version of the script.
            if (report.isOpen) report.setStale('the script has errors; this report is from an earlier run');
            return;
        }
        tell(o.result, o.exitCode, quiet);
        if (o.result) await remember(`${path.basename(o.scriptFile ?? o.script)} on ${path.basename(o.app)}`, o.result, o.app, { text: o.scriptText, file: o.scriptFile });
    };

    async function presentCoverage(r: CoverageRunResult, quiet: boolean): Promise<void> {
        if (r.cancelled) return;
        tell(r.result, r.exitCode, quiet);
        if (r.coverage?.report.mapping === 'none') {
            const text = `Whamm: ${noDebugInfoMessage(r.app)}`;
            if (quiet) notifier.record('warning', text);
            else void notifier.notify('warning', text, 'Show Hot Spots').then(c => { if (c) void vscode.commands.executeCommand('whamm.hotSpots.focus'); });
        }
        if (r.coverage) saveCoverage(r.coverage);
    }

    /** The last coverage is kept beside the runs, to come back after a reload. */
    const coverageFile = path.join(storage, 'coverage', 'restore.json');
    function saveCoverage(c: LoadedCoverage): void {
        const src = path.join(storage, 'coverage', 'coverage.json');
        try {
            fs.copyFileSync(src, coverageFile);
            void ctx.workspaceState.update('whamm.coverageApp', c.report.app);
        } catch { /* nothing to keep */ }
    }

    ctx.subscriptions.push(
        vscode.languages.registerCodeLensProvider({ language: 'whamm' }, lenses),
        vscode.commands.registerCommand(RunCommands.runWithCoverage, async (arg?: CoverageRunOptions | vscode.Uri) => {
            // From a .mm editor (title button, CodeLens) the script runs along and its report is shown too.
            const opts = arg instanceof vscode.Uri ? await scriptOptions(arg) : arg ?? {};
            const r = await coverage.run(opts);
            if (r) finished.fire(r);
            if (r?.result?.report && opts.script) {
                const text = fs.existsSync(opts.script) ? fs.readFileSync(opts.script, 'utf8') : '';
                await remember(`${path.basename(opts.scriptFile ?? opts.script)} on ${path.basename(r.app)} (with coverage)`, r.result, r.app, { text, file: opts.scriptFile ?? opts.script });
            }
            return r ? { ...r, coverage: undefined, files: r.coverage ? [...r.coverage.files.keys()] : [] } : undefined;
        }),
        vscode.commands.registerCommand(RunCommands.exportLcov, (target?: vscode.Uri) => coverage.exportLcov(target, c => exportLcov(c))),
        vscode.commands.registerCommand(RunCommands.showOverlays, () => heat.setVisible(true)),
        vscode.commands.registerCommand(RunCommands.hideOverlays, () => heat.setVisible(false)),
        vscode.commands.registerCommand(RunCommands.showReport, () => {
            const last = report.shownRun ?? history.last();
            const result = last && history.load(last);
            if (last && result) { report.show(last, result); updateStale(); }
            else void vscode.window.showInformationMessage('Whamm: no report yet. Run "Whamm: Instrument and Run" first.');
        }),
        vscode.commands.registerCommand(RunCommands.exportReport, (format?: 'csv' | 'json', target?: vscode.Uri) =>
            report.shownRun ? report.export(format === 'json' ? 'json' : 'csv', target) : undefined),
        vscode.commands.registerCommand(RunCommands.exportChart, (id: string, format: 'png' | 'svg', target?: vscode.Uri) => report.exportChart(id, format, target)),
        vscode.commands.registerCommand(RunCommands.compareRuns, async (before?: string, after?: string) => {
            const runs = history.list();
            if (runs.length < 2) { void vscode.window.showInformationMessage('Whamm: comparing needs two runs with a report.'); return undefined; }
            if (!before || !after) {
                const items = runs.map(r => ({ label: r.title, description: new Date(r.time).toLocaleString(), id: r.id }));
                const a = await vscode.window.showQuickPick(items, { title: 'Compare runs: the run before' });
                const b = a && await vscode.window.showQuickPick(items.filter(i => i.id !== a.id), { title: 'Compare runs: the run after' });
                if (!a || !b) return undefined;
                before = a.id; after = b.id;
            }
            if (!report.isOpen) { const last = history.last(); const res = last && history.load(last); if (last && res) report.show(last, res); }
            return report.compare(before, after);
        }),
        vscode.commands.registerCommand(RunCommands.showSites, (uri: vscode.Uri, probe: number) => lenses.showSites(uri, probe)),
    );

    ctx.subscriptions.push(rc.runs.event((o: RunOutcome) => {
        lenses.invalidate();
    }));

    /** The report on screen is stale once its script's text or its app differ from the run's. */
    function updateStale(): void {
        const run: StoredRun | undefined = report.shownRun;
        if (!run) return;
        const doc = run.script ? vscode.workspace.textDocuments.find(d => d.uri.fsPath === run.script) : undefined;
        const text = doc ? doc.getText() : run.script && fs.existsSync(run.script) ? fs.readFileSync(run.script, 'utf8') : undefined;
        report.setStale(staleReason(run, text, mtimeOf(run.app)));
    }
    let staleTimer: NodeJS.Timeout | undefined;
    const later = () => { clearTimeout(staleTimer); staleTimer = setTimeout(updateStale, 300); };
    ctx.subscriptions.push(
        vscode.workspace.onDidChangeTextDocument(e => { if (e.document.uri.fsPath === report.shownRun?.script) later(); }),
        vscode.window.onDidChangeWindowState(s => { if (s.focused) later(); }),
        { dispose: () => clearTimeout(staleTimer) },
    );

    // After a reload: the Report view comes back through its serializer when VS Code restores the panel;
    // when it was open but VS Code does not bring the panel back (its layout was not saved yet), it is
    // opened here. The last coverage comes back too (gutters, heat, hot spots).
    if (ctx.workspaceState.get<boolean>(REPORT_OPEN_KEY)) {
        const timer = setTimeout(() => {
            if (report.isOpen) return;
            const last = history.last();
            const result = last && history.load(last);
            if (last && result) { report.show(last, result, false); updateStale(); }
        }, 3000);
        ctx.subscriptions.push({ dispose: () => clearTimeout(timer) });
    }
    ctx.subscriptions.push(report.onDidChangeOpen(open => void ctx.workspaceState.update(REPORT_OPEN_KEY, open)));
    void (async () => {
        const app = ctx.workspaceState.get<string>('whamm.coverageApp');
        if (!app || !fs.existsSync(coverageFile)) return;
        try {
            const c = loadCoverage(JSON.parse(fs.readFileSync(coverageFile, 'utf8')), coverageRoots(app), p => fs.existsSync(p));
            store.set(c);
            await coverage.restore(c);
        } catch (e) {
            rc.output.appendLine(`[coverage] could not restore the last coverage: ${(e as Error).message}`);
        }
    })();

    /** The script as the user sees it: unsaved edits run from a copy, never written over their file. */
    async function scriptOptions(uri: vscode.Uri): Promise<CoverageRunOptions> {
        const doc = await vscode.workspace.openTextDocument(uri);
        if (doc.languageId !== 'whamm') return {};
        const file = doc.uri.scheme === 'file' && !doc.isUntitled ? doc.uri.fsPath : undefined;
        if (!doc.isDirty && file) return { script: file, scriptFile: file };
        const dir = path.join(storage, 'coverage');
        fs.mkdirSync(dir, { recursive: true });
        const copy = path.join(dir, `unsaved-${doc.isUntitled ? 'untitled.mm' : path.basename(doc.uri.fsPath)}`);
        fs.writeFileSync(copy, doc.getText());
        return { script: copy, scriptFile: file };
    }

    const lines = (c: LoadedCoverage) => Object.fromEntries([...c.files].map(([f, d]) => [f, Object.fromEntries(d.lines)]));
    return {
        present,
        lastCoverage: () => store.current ? lines(store.current) : undefined,
        heatDecorations: () => heat.heatDecorations(),
        heatLegend: () => heat.legendState(),
        hotSpotRows: () => hot.rows(),
        reportTables: () => report.current().tables,
        reportState: () => ({ ...report.current(), open: report.isOpen }),
        reportCharts: () => report.chartsRendered(),
        runs: () => history.list().map(r => ({ id: r.id, title: r.title })),
        notifications: () => notifier.recent(),
        trapMarks: () => trapMarker.current(),
        onDidFinishCoverage: finished.event,
    };
}
