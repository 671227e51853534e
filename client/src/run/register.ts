// Wires the run-result features into VS Code: coverage through the Testing API, the heat overlay with its
// legend and Hot spots view, the Report view, and the script CodeLenses (run, match sites). extension.ts
// calls registerRunFeatures once; what it returns joins the extension API (used by the e2e suite).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunContext, RunOutcome } from '../commands/instrumentAndRun.js';
import type { LoadedCoverage } from '../coverage/model.js';
import { CoverageStore } from '../coverage/store.js';
import { WhammCoverage, type CoverageRunOptions, type CoverageRunResult } from '../coverage/testController.js';
import { HeatOverlay, type AppliedHeat } from '../heat/overlay.js';
import { HotSpotsView } from '../heat/hotSpotsView.js';
import { ReportPanel } from '../report/panel.js';
import type { ReportTable } from '../report/table.js';
import { SHOW_SITES, SitesLensProvider, type SendRequest } from '../sites/sitesLens.js';

export const RunCommands = {
    runWithCoverage: 'whamm.runWithCoverage',
    exportLcov: 'whamm.exportLcov',
    showOverlays: 'whamm.showOverlays',
    hideOverlays: 'whamm.hideOverlays',
    showReport: 'whamm.showReport',
    exportReport: 'whamm.exportReport',
    showSites: SHOW_SITES,
} as const;

export interface RunFeaturesApi {
    /** Per-file line hits of the last coverage run (absolute path -> line -> hits), or undefined. */
    lastCoverage(): Record<string, Record<number, number>> | undefined;
    /** The heat decorations drawn now: per visible covered file, 1-based lines by heat level. */
    heatDecorations(): AppliedHeat[];
    /** Rows of the Hot spots view ("Hottest lines: main.c:38 — 377 (3.5%)"). */
    hotSpotRows(): string[];
    /** Tables of the Report view, as shown (sorted). */
    reportTables(): ReportTable[];
    onDidFinishCoverage: vscode.Event<CoverageRunResult>;
}

export function registerRunFeatures(rc: RunContext, send: SendRequest): RunFeaturesApi {
    const ctx = rc.extension;
    const store = new CoverageStore();
    const coverage = new WhammCoverage(ctx, rc.output, store);
    const heat = new HeatOverlay(store);
    const hot = new HotSpotsView(store);
    const report = new ReportPanel();
    const lenses = new SitesLensProvider(ctx.workspaceState, send);
    const finished = new vscode.EventEmitter<CoverageRunResult>();
    ctx.subscriptions.push(store, coverage, heat, hot, report, lenses, finished);

    ctx.subscriptions.push(
        vscode.languages.registerCodeLensProvider({ language: 'whamm' }, lenses),
        vscode.commands.registerCommand(RunCommands.runWithCoverage, async (arg?: CoverageRunOptions | vscode.Uri) => {
            // From a .mm editor (title button, CodeLens) the script runs along and its report is shown too.
            const opts = arg instanceof vscode.Uri ? await scriptOptions(arg) : arg ?? {};
            const r = await coverage.run(opts);
            if (r) finished.fire(r);
            if (r?.reportCsv !== undefined && opts.script) {
                lastReport = { csv: r.reportCsv, title: `${path.basename(opts.script)} on ${path.basename(r.app)} (with coverage) — exit code ${r.exitCode}` };
                report.show(lastReport.csv, lastReport.title);
            }
            return r ? { ...r, coverage: undefined, files: r.coverage ? [...r.coverage.files.keys()] : [] } : undefined;
        }),
        vscode.commands.registerCommand(RunCommands.exportLcov, (target?: vscode.Uri) => coverage.exportLcov(target)),
        vscode.commands.registerCommand(RunCommands.showOverlays, () => heat.setVisible(true)),
        vscode.commands.registerCommand(RunCommands.hideOverlays, () => heat.setVisible(false)),
        vscode.commands.registerCommand(RunCommands.showReport, () => {
            if (lastReport) report.show(lastReport.csv, lastReport.title);
            else void vscode.window.showInformationMessage('Whamm: no report yet. Run "Whamm: Instrument and Run" first.');
        }),
        vscode.commands.registerCommand(RunCommands.exportReport, (format?: 'csv' | 'json', target?: vscode.Uri) =>
            lastReport ? report.export(format === 'json' ? 'json' : 'csv', target) : undefined),
        vscode.commands.registerCommand(RunCommands.showSites, (uri: vscode.Uri, probe: number) => lenses.showSites(uri, probe)),
    );

    let lastReport: { csv: string; title: string } | undefined;
    ctx.subscriptions.push(rc.runs.event((o: RunOutcome) => {
        lenses.invalidate();
        if (o.phase !== 'run' || o.reportCsv === undefined) return;
        lastReport = { csv: o.reportCsv, title: `${path.basename(o.script)} on ${path.basename(o.app)} — exit code ${o.exitCode}` };
        report.show(lastReport.csv, lastReport.title);
    }));

    /** The script as the user sees it: unsaved edits run from a copy, never written over their file. */
    async function scriptOptions(uri: vscode.Uri): Promise<CoverageRunOptions> {
        const doc = await vscode.workspace.openTextDocument(uri);
        if (doc.languageId !== 'whamm') return {};
        if (!doc.isDirty && !doc.isUntitled && doc.uri.scheme === 'file') return { script: doc.uri.fsPath };
        const dir = path.join((ctx.storageUri ?? ctx.globalStorageUri).fsPath, 'coverage');
        fs.mkdirSync(dir, { recursive: true });
        const copy = path.join(dir, `unsaved-${doc.isUntitled ? 'untitled.mm' : path.basename(doc.uri.fsPath)}`);
        fs.writeFileSync(copy, doc.getText());
        return { script: copy };
    }

    const lines = (c: LoadedCoverage) => Object.fromEntries([...c.files].map(([f, d]) => [f, Object.fromEntries(d.lines)]));
    return {
        lastCoverage: () => store.current ? lines(store.current) : undefined,
        heatDecorations: () => heat.heatDecorations(),
        hotSpotRows: () => hot.rows(),
        reportTables: () => report.current().tables,
        onDidFinishCoverage: finished.event,
    };
}
