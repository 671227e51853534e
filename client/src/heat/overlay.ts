// Hot-spot overlay: whole-line backgrounds by instructions executed per line (a log scale of a few levels,
// separate colours for light and dark themes), a hover with the exact count and its share of the run, and a
// legend in the status bar. Redrawn when a coverage run finishes or an editor shows a covered file; a file's
// overlay is dropped as soon as it is edited (the counts no longer match its lines).
import * as vscode from 'vscode';
import type { CoverageStore } from '../coverage/store.js';
import type { LoadedCoverage } from '../coverage/model.js';
import { formatCount, formatShare, HEAT_LEVELS, heatColor, heatLevel, legend } from './scale.js';

export interface AppliedHeat { file: string; levels: Record<number, number[]>; hovers: Record<number, string> }

export class HeatOverlay implements vscode.Disposable {
    private readonly types: vscode.TextEditorDecorationType[] = [];
    private readonly legendItem: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private visible = true;
    /** Files edited since the run: their overlay stays off until the next run. */
    private readonly stale = new Set<string>();
    private readonly applied = new Map<string, AppliedHeat>();

    constructor(private readonly store: CoverageStore) {
        for (let l = 1; l <= HEAT_LEVELS; l++) {
            this.types.push(vscode.window.createTextEditorDecorationType({
                isWholeLine: true,
                light: { backgroundColor: heatColor(l, 'light'), overviewRulerColor: heatColor(l, 'light') },
                dark: { backgroundColor: heatColor(l, 'dark'), overviewRulerColor: heatColor(l, 'dark') },
                overviewRulerLane: vscode.OverviewRulerLane.Right,
            }));
        }
        this.legendItem = vscode.window.createStatusBarItem('whamm.heatLegend', vscode.StatusBarAlignment.Right, 100);
        this.legendItem.name = 'Whamm heat legend';
        this.legendItem.command = 'whamm.hotSpots.focus';
        this.disposables.push(
            ...this.types, this.legendItem,
            store.onDidChange(() => { this.stale.clear(); this.refresh(); }),
            vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
            vscode.window.onDidChangeActiveColorTheme(() => this.refresh()),
            vscode.workspace.onDidChangeTextDocument(e => {
                if (e.contentChanges.length === 0) return;
                const f = e.document.uri.fsPath;
                if (this.store.current?.files.has(f) && !this.stale.has(f)) {
                    this.stale.add(f);
                    this.refresh();
                }
            }),
        );
        void vscode.commands.executeCommand('setContext', 'whamm.overlaysVisible', true);
    }

    get shown(): boolean { return this.visible; }

    setVisible(v: boolean): void {
        this.visible = v;
        void vscode.commands.executeCommand('setContext', 'whamm.overlaysVisible', v);
        this.refresh();
    }

    /** What is drawn now, per file: 1-based line numbers by heat level (for tests and the API). */
    heatDecorations(): AppliedHeat[] {
        return [...this.applied.values()];
    }

    private maxHeat(c: LoadedCoverage): number {
        let max = 0;
        for (const f of c.files.values()) for (const n of f.heat.values()) if (n > max) max = n;
        return max;
    }

    refresh(): void {
        const c = this.store.current;
        const max = c ? this.maxHeat(c) : 0;
        this.applied.clear();
        for (const editor of vscode.window.visibleTextEditors) {
            const file = editor.document.uri.fsPath;
            const data = c?.files.get(file);
            const ranges: vscode.DecorationOptions[][] = this.types.map(() => []);
            const levels: Record<number, number[]> = {};
            const hovers: Record<number, string> = {};
            if (c && data && this.visible && !this.stale.has(file)) {
                for (const [line, n] of data.heat) {
                    const level = heatLevel(n, max);
                    if (level === 0 || line < 1 || line > editor.document.lineCount) continue;
                    const hits = data.lines.get(line) ?? 0;
                    const hover = new vscode.MarkdownString(
                        `**Whamm heat** — ${formatCount(n)} instructions executed on this line ` +
                        `(${formatShare(n, c.totalInstructions)} of the run); the line started ${formatCount(hits)} time${hits === 1 ? '' : 's'}.`);
                    ranges[level - 1].push({ range: new vscode.Range(line - 1, 0, line - 1, 0), hoverMessage: hover });
                    (levels[level] ??= []).push(line);
                    hovers[line] = hover.value;
                }
                this.applied.set(file, { file, levels, hovers });
            }
            ranges.forEach((r, i) => editor.setDecorations(this.types[i], r));
        }
        this.updateLegend(c, max);
    }

    private updateLegend(c: LoadedCoverage | undefined, max: number): void {
        if (!c || !this.visible || max === 0) { this.legendItem.hide(); return; }
        const kind = vscode.window.activeColorTheme.kind;
        const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
        this.legendItem.text = `$(flame) heat 1–${formatCount(max)}`;
        const md = new vscode.MarkdownString('**Whamm heat** (instructions executed per line, log scale)\n\n', true);
        md.supportHtml = true;
        for (const l of legend(max)) {
            md.appendMarkdown(`<span style="background-color:${toHex(heatColor(l.level, theme))};">&nbsp;&nbsp;&nbsp;&nbsp;</span> ${formatCount(l.from)}–${formatCount(l.to)}\n\n`);
        }
        md.appendMarkdown(`Total: ${formatCount(c.totalInstructions)} instructions. Click for the Hot spots view.`);
        this.legendItem.tooltip = md;
        this.legendItem.show();
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}

/** Markdown hovers accept only #rrggbb colours: blend the rgba level over white/black. */
function toHex(rgba: string): string {
    const m = /rgba\((\d+), (\d+), (\d+), ([\d.]+)\)/.exec(rgba);
    if (!m) return '#000000';
    const a = Number(m[4]);
    const h = (v: number) => Math.round(v * a + 255 * (1 - a)).toString(16).padStart(2, '0');
    return `#${h(Number(m[1]))}${h(Number(m[2]))}${h(Number(m[3]))}`;
}
