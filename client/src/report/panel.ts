// The Report view: a webview with one table per report variable of a run (sortable; the sort happens here
// with the tested table model), charts drawn by the bundled webview script (out/webview/report.js, echarts,
// no network), CSV / JSON / PNG / SVG export and a comparison of two runs. It comes back after a window
// reload (webview serializer) with the last run, which is marked stale once the script or app changed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResultJson } from '../run/results.js';
import type { RunHistory, StoredRun } from '../state/history.js';
import { chartFileContent, type ChartFormat } from './chartFile.js';
import { tablesFromVariables, tablesToCsv, tablesToJson, sortRows, type ReportTable } from './table.js';
import { compareModel, tableModel, type CompareModel, type ViewModel } from './viewModel.js';

export const REPORT_VIEW_TYPE = 'whamm.report';

interface Sort { column: string; descending: boolean }
/** What the webview says it drew (read from its DOM), for tests. */
export interface RenderedChart { id: string; kind: string; svg: boolean; shapes: number; texts: string[] }

/** The page's answer to a chart export: a data URL, or why there is none. */
interface ChartAnswer { data?: string; error?: string }

export class ReportPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private run: StoredRun | undefined;
    private result: RunResultJson | undefined;
    private tables: ReportTable[] = [];
    private stale: string | undefined;
    private compared: CompareModel | undefined;
    private readonly sorts = new Map<string, Sort>();
    private rendered: RenderedChart[] = [];
    private readonly pendingCharts = new Map<string, (answer: ChartAnswer) => void>();
    private readonly disposables: vscode.Disposable[] = [];
    private readonly openChanged = new vscode.EventEmitter<boolean>();
    /** Fires true when the view opens (or is restored), false when the user closes it. */
    readonly onDidChangeOpen = this.openChanged.event;

    constructor(private readonly extensionUri: vscode.Uri, private readonly history: RunHistory) {
        this.disposables.push(this.openChanged, vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
            deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
                const last = this.history.last();
                const result = last && this.history.load(last);
                this.adopt(panel);
                if (last && result) this.load(last, result);
                this.render();
            },
        }));
    }

    /** Title and tables shown (sorted as shown), for tests and the API. */
    current(): { title: string; tables: ReportTable[]; stale?: string; runId?: string } {
        return { title: this.run?.title ?? '', tables: this.tables.map(t => this.sorted(t)), stale: this.stale, runId: this.run?.id };
    }

    chartsRendered(): RenderedChart[] { return this.rendered; }

    get shownRun(): StoredRun | undefined { return this.run; }

    private load(run: StoredRun, result: RunResultJson): void {
        this.run = run;
        this.result = result;
        this.tables = tablesFromVariables(result.report ?? []);
        this.sorts.clear();
        this.compared = undefined;
        this.rendered = [];
    }

    show(run: StoredRun, result: RunResultJson, reveal = true): void {
        this.load(run, result);
        this.stale = undefined;
        if (!this.panel) {
            this.adopt(vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'Whamm Report', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
                { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'out', 'webview')] }));
        } else if (reveal) {
            this.panel.reveal(undefined, true);
        }
        this.render();
    }

    setStale(reason: string | undefined): void {
        if (reason === this.stale) return;
        this.stale = reason;
        this.post();
    }

    get isOpen(): boolean { return this.panel !== undefined; }

    private adopt(panel: vscode.WebviewPanel): void {
        this.panel = panel;
        panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'out', 'webview')] };
        panel.onDidDispose(() => {
            if (this.panel !== panel) return;
            this.panel = undefined;
            // Said a moment later: a window that closes or reloads ends the extension host first, and
            // then the view counts as open (it comes back); a user closing it is remembered.
            const t = setTimeout(() => { if (!this.disposing && !this.panel) this.openChanged.fire(false); }, 1000);
            this.disposables.push({ dispose: () => clearTimeout(t) });
        });
        this.openChanged.fire(true);
        panel.webview.onDidReceiveMessage(m => this.onMessage(m));
        panel.webview.html = this.html(panel.webview);
    }

    private sorted(t: ReportTable): ReportTable {
        const s = this.sorts.get(t.name);
        return s ? { ...t, rows: sortRows(t.rows, s.column, s.descending) } : t;
    }

    sortBy(table: string, column: string): void {
        const prev = this.sorts.get(table);
        this.sorts.set(table, { column, descending: prev?.column === column ? !prev.descending : column === 'value' });
        this.post();
    }

    /** Compares two stored runs (before, after): per-row deltas and a chart of the biggest changes. */
    compare(beforeId: string, afterId: string): CompareModel | undefined {
        const load = (id: string) => {
            const r = this.history.get(id);
            const j = r && this.history.load(r);
            return r && j ? { title: r.title, tables: tablesFromVariables(j.report ?? []) } : undefined;
        };
        const a = load(beforeId), b = load(afterId);
        if (!a || !b) return undefined;
        this.compared = compareModel(a, b, this.result?.functions ?? {});
        this.post();
        return this.compared;
    }

    async export(format: 'csv' | 'json', target?: vscode.Uri): Promise<string | undefined> {
        const dest = target ?? await saveDialog(`whamm-report.${format}`, format.toUpperCase(), [format]);
        if (!dest) return undefined;
        const tables = this.tables.map(t => this.sorted(t));
        fs.writeFileSync(dest.fsPath, format === 'csv' ? tablesToCsv(tables) : tablesToJson(tables));
        return dest.fsPath;
    }

    /** Writes chart `id` as drawn in the view (SVG as the view's renderer draws it, PNG rasterised there). */
    async exportChart(id: string, format: ChartFormat, target?: vscode.Uri): Promise<string | undefined> {
        if (!this.panel) return undefined;
        // A hidden view has no page (it is drawn again when shown): show it, the request waits for its page.
        if (!this.panel.visible) this.panel.reveal(undefined, true);
        const answer = await new Promise<ChartAnswer>(resolve => {
            const key = `${id}|${format}`;
            this.pendingCharts.get(key)?.({ error: 'asked again' });
            const answer = (d: ChartAnswer) => { clearTimeout(timer); if (this.pendingCharts.get(key) === answer) this.pendingCharts.delete(key); resolve(d); };
            const timer = setTimeout(() => answer({ error: 'the Report view did not answer' }), 20000);
            this.pendingCharts.set(key, answer);
            this.requestChart(id, format);
        });
        const content = answer.error !== undefined ? { error: answer.error } : chartFileContent(format, answer.data);
        if ('error' in content) {
            void vscode.window.showErrorMessage(`Whamm: could not export the chart ${id}: ${content.error}.`);
            return undefined;
        }
        const dest = target ?? await saveDialog(`${id.replace(/[^\w.-]+/g, '-')}.${format}`, format.toUpperCase(), [format]);
        if (!dest) return undefined;
        fs.writeFileSync(dest.fsPath, content.bytes);
        return dest.fsPath;
    }

    private requestChart(id: string, format: ChartFormat): void {
        void this.panel?.webview.postMessage({ type: 'exportChart', id, format });
    }

    private onMessage(m: unknown): void {
        const msg = m as { type?: string; table?: string; column?: string; format?: string; before?: string; after?: string; charts?: RenderedChart[]; id?: string; data?: string; error?: string };
        switch (msg.type) {
            case 'ready':
                this.post();
                // Requests sent before this page loaded (the view was hidden or reloading) are asked again.
                for (const key of this.pendingCharts.keys()) {
                    const [id, format] = [key.slice(0, key.lastIndexOf('|')), key.slice(key.lastIndexOf('|') + 1)];
                    this.requestChart(id, format as ChartFormat);
                }
                break;
            case 'sort': if (msg.table && msg.column) this.sortBy(msg.table, msg.column); break;
            case 'export': if (msg.format === 'csv' || msg.format === 'json') void this.export(msg.format); break;
            case 'exportChart': if (msg.id && (msg.format === 'png' || msg.format === 'svg')) void this.exportChart(msg.id, msg.format); break;
            case 'chartData': {
                const key = `${msg.id}|${msg.format}`;
                this.pendingCharts.get(key)?.({ data: msg.data, error: msg.error });
                break;
            }
            case 'compare': if (msg.before && msg.after) this.compare(msg.before, msg.after); break;
            case 'rendered': this.rendered = Array.isArray(msg.charts) ? msg.charts : []; break;
        }
    }

    model(): ViewModel {
        const names = this.result?.functions ?? {};
        const r = this.result;
        const problem = r?.trap ? `The app trapped: ${r.trap.message}${r.trap.location ? ` at ${path.basename(r.trap.location.file)}:${r.trap.location.line}` : ''}${r.trap.funcName ? ` (in ${r.trap.funcName})` : ''}`
            : r && r.exitCode !== 0 ? `The app exited with code ${r.exitCode}.` : undefined;
        return {
            title: this.run?.title ?? 'No run yet',
            stale: this.stale,
            problem,
            note: r?.reportRows !== undefined
                ? `Showing the first ${(r.report?.length ?? 0).toLocaleString('en-US')} of ${r.reportRows.toLocaleString('en-US')} report rows; the printed report has them all.` : undefined,
            runs: this.history.list().map(x => ({ id: x.id, label: `${new Date(x.time).toLocaleTimeString()} — ${x.title}` })),
            runId: this.run?.id,
            tables: this.tables.map(t => tableModel(t, names, this.sorts.get(t.name))),
            compare: this.compared,
        };
    }

    private render(): void {
        this.post();
    }

    private post(): void {
        void this.panel?.webview.postMessage({ type: 'model', model: this.model() });
    }

    private html(webview: vscode.Webview): string {
        const nonce = Array.from({ length: 24 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
        const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'out', 'webview', 'report.js'));
        return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; script-src 'nonce-${nonce}' ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Whamm Report</title></head><body><div id="app" aria-live="polite">Loading the report…</div>
<script nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
    }

    private disposing = false;

    dispose(): void {
        // The panel is left to VS Code, which keeps it (and its serializer brings it back) across a reload.
        this.disposing = true;
        this.disposables.forEach(d => d.dispose());
    }
}

async function saveDialog(name: string, label: string, exts: string[]): Promise<vscode.Uri | undefined> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return vscode.window.showSaveDialog({ title: `Export as ${label}`, filters: { [label]: exts }, defaultUri: root ? vscode.Uri.file(path.join(root, name)) : undefined });
}
