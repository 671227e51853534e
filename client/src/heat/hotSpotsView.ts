// The "Hot spots" view: the hottest lines and functions of the last coverage run, each opening its source.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CoverageStore } from '../coverage/store.js';
import type { LoadedCoverage } from '../coverage/model.js';
import { formatCount, formatShare, legend, plural } from './scale.js';

type Node = { kind: 'group'; label: 'lines' | 'functions' } | { kind: 'entry'; item: vscode.TreeItem };

export class HotSpotsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<Node | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    readonly view: vscode.TreeView<Node>;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly store: CoverageStore) {
        this.view = vscode.window.createTreeView('whamm.hotSpots', { treeDataProvider: this, showCollapseAll: true });
        this.disposables.push(this.view, this.changed, store.onDidChange(c => { this.updateMessage(c); this.changed.fire(undefined); }));
        this.updateMessage(store.current);
    }

    private updateMessage(c: LoadedCoverage | undefined): void {
        if (!c) { this.view.message = undefined; return; }
        if (functionMode(c)) {
            this.view.message = `${formatCount(c.totalInstructions)} instructions. The app has no debug info: hot functions only (names from its name section). Build with clang -g or asc --sourceMap for lines.`;
            return;
        }
        let max = 0;
        for (const f of c.files.values()) for (const n of f.heat.values()) max = Math.max(max, n);
        const ranges = legend(max).map(l => `${formatCount(l.from)}–${formatCount(l.to)}`).join(' · ');
        this.view.message = `${formatCount(c.totalInstructions)} instructions. Heat levels (cool → hot): ${ranges}`;
    }

    getTreeItem(n: Node): vscode.TreeItem {
        if (n.kind === 'entry') return n.item;
        const item = new vscode.TreeItem(n.label === 'lines' ? 'Hottest lines' : 'Hottest functions', vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon(n.label === 'lines' ? 'flame' : 'symbol-function');
        return item;
    }

    getChildren(n?: Node): Node[] {
        const c = this.store.current;
        if (!c) return [];
        if (!n) return functionMode(c) ? [{ kind: 'group', label: 'functions' }] : [{ kind: 'group', label: 'lines' }, { kind: 'group', label: 'functions' }];
        if (n.kind !== 'group') return [];
        const open = (file: string, line: number): vscode.Command => ({
            title: 'Open', command: 'vscode.open',
            arguments: [vscode.Uri.file(file), { selection: new vscode.Range(Math.max(0, line - 1), 0, Math.max(0, line - 1), 0) }],
        });
        if (n.label === 'lines') {
            return c.hot.lines.filter(l => c.files.has(l.path)).map(l => {
                const item = new vscode.TreeItem(`${path.basename(l.path)}:${l.line}`);
                item.description = `${formatCount(l.instructions)} (${formatShare(l.instructions, c.totalInstructions)})`;
                item.tooltip = `${l.path}:${l.line}\n${formatCount(l.instructions)} instructions, line started ${plural(l.hits, 'time')}`;
                item.command = open(l.path, l.line);
                item.resourceUri = vscode.Uri.file(l.path);
                return { kind: 'entry', item } as Node;
            });
        }
        return c.hot.functions.map(f => {
            const item = new vscode.TreeItem(f.name);
            const known = f.path && c.files.has(f.path);
            item.description = `${formatCount(f.instructions)} (${formatShare(f.instructions, c.totalInstructions)}), ${plural(f.calls, 'call')}`;
            item.tooltip = known ? `${f.path}:${f.line}` : functionMode(c) ? 'no debug info: no source location' : 'source not available';
            if (known) item.command = open(f.path!, f.line);
            return { kind: 'entry', item } as Node;
        });
    }

    /** The view's rows as text ("group: label — description"), for tests. */
    rows(): string[] {
        const out: string[] = [];
        for (const g of this.getChildren()) {
            const gi = this.getTreeItem(g);
            for (const e of this.getChildren(g)) {
                const it = this.getTreeItem(e);
                out.push(`${String(gi.label)}: ${String(it.label)} — ${String(it.description ?? '')}`);
            }
        }
        return out;
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}

/** A coverage run of an app without debug info: only functions can be listed. */
export function functionMode(c: LoadedCoverage): boolean {
    return c.report.mapping === 'none' || c.files.size === 0;
}
