// The Report view: a webview panel with one table per report variable of the last run, sortable by any
// column (the sort happens in the extension with the tested table model; the page only asks for it), and
// CSV / JSON export through a save dialog.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cell, parseReport, sortRows, tablesToCsv, tablesToJson, type ReportTable } from './table.js';

interface Sort { column: string; descending: boolean }

export class ReportPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private tables: ReportTable[] = [];
    private title = '';
    private readonly sorts = new Map<string, Sort>();

    /** The tables shown (sorted as shown), for tests. */
    current(): { title: string; tables: ReportTable[] } {
        return { title: this.title, tables: this.tables.map(t => this.sorted(t)) };
    }

    show(csv: string, title: string): void {
        this.tables = parseReport(csv);
        this.title = title;
        this.sorts.clear();
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel('whamm.report', 'Whamm Report', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
                { enableScripts: true, retainContextWhenHidden: false });
            this.panel.onDidDispose(() => { this.panel = undefined; });
            this.panel.webview.onDidReceiveMessage(m => this.onMessage(m));
        } else {
            this.panel.reveal(vscode.ViewColumn.Beside, true);
        }
        this.render();
    }

    get isOpen(): boolean { return this.panel !== undefined; }

    private sorted(t: ReportTable): ReportTable {
        const s = this.sorts.get(t.name);
        return s ? { ...t, rows: sortRows(t.rows, s.column, s.descending) } : t;
    }

    sortBy(table: string, column: string): void {
        const prev = this.sorts.get(table);
        this.sorts.set(table, { column, descending: prev?.column === column ? !prev.descending : false });
        this.render();
    }

    async export(format: 'csv' | 'json', target?: vscode.Uri): Promise<string | undefined> {
        const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const dest = target ?? await vscode.window.showSaveDialog({
            title: `Export the report as ${format.toUpperCase()}`, filters: { [format.toUpperCase()]: [format] },
            defaultUri: root ? vscode.Uri.file(path.join(root, `whamm-report.${format}`)) : undefined,
        });
        if (!dest) return undefined;
        const tables = this.tables.map(t => this.sorted(t));
        fs.writeFileSync(dest.fsPath, format === 'csv' ? tablesToCsv(tables) : tablesToJson(tables));
        return dest.fsPath;
    }

    private onMessage(m: unknown): void {
        const msg = m as { type?: string; table?: string; column?: string; format?: string };
        if (msg.type === 'sort' && msg.table && msg.column) this.sortBy(msg.table, msg.column);
        else if (msg.type === 'export' && (msg.format === 'csv' || msg.format === 'json')) void this.export(msg.format);
    }

    private render(): void {
        if (!this.panel) return;
        const nonce = Array.from({ length: 16 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
        const esc = (s: string) => s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
        const body = this.tables.length === 0
            ? '<p>The run flushed no report (the script declares no <code>report</code> variables, or the app did not finish).</p>'
            : this.tables.map(t => {
                const st = this.sorted(t);
                const s = this.sorts.get(t.name);
                const head = t.columns.map(c => `<th data-table="${esc(t.name)}" data-column="${esc(c)}" tabindex="0" aria-sort="${s?.column === c ? (s.descending ? 'descending' : 'ascending') : 'none'}">${esc(c)}${s?.column === c ? (s.descending ? ' ▾' : ' ▴') : ''}</th>`).join('');
                const rows = st.rows.map(r => `<tr>${t.columns.map(c => `<td>${esc(cell(r, c))}</td>`).join('')}</tr>`).join('');
                return `<h2>${esc(t.name)} <small>${esc(t.type)} · ${t.rows.length} row${t.rows.length === 1 ? '' : 's'}</small></h2><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
            }).join('\n');
        this.panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; font-family: var(--vscode-editor-font-family); }
th { cursor: pointer; background: var(--vscode-editorWidget-background); user-select: none; }
small { color: var(--vscode-descriptionForeground); font-weight: normal; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; margin-right: 6px; cursor: pointer; }
</style></head><body>
<p><strong>${esc(this.title)}</strong></p>
<p><button id="csv">Export CSV</button><button id="json">Export JSON</button></p>
${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.getElementById('csv').onclick = () => vscode.postMessage({ type: 'export', format: 'csv' });
document.getElementById('json').onclick = () => vscode.postMessage({ type: 'export', format: 'json' });
for (const th of document.querySelectorAll('th')) {
  const sort = () => vscode.postMessage({ type: 'sort', table: th.dataset.table, column: th.dataset.column });
  th.onclick = sort;
  th.onkeydown = e => { if (e.key === 'Enter' || e.key === ' ') sort(); };
}
</script></body></html>`;
    }

    dispose(): void { this.panel?.dispose(); }
}
