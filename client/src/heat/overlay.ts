// Hot-spot overlay: whole-line backgrounds by instructions executed per line (a log scale of a few levels
// of one amber hue, see scale.ts; a left bar in high-contrast themes), a hover with the exact count and
// its share of the run, and a legend in the status bar. Redrawn when a coverage run finishes or an editor
// shows a covered file. Edits move the heat with the lines (inserted lines above push it down), and a
// file edited back to its text at the time of the run gets its heat back exactly.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { CoverageStore } from '../coverage/store.js';
import type { FileCoverage, LoadedCoverage } from '../coverage/model.js';
import { formatCount, formatShare, HEAT_LEVELS, heatBarWidth, heatColor, heatLevel, legend, shiftLines, type LineChange } from './scale.js';

export interface AppliedHeat { file: string; levels: Record<number, number[]>; hovers: Record<number, string> }

/** Heat of one file as it stands now: the run's values moved along with the edits since. */
interface Anchored { heat: Map<number, number>; lines: Map<number, number>; textHash?: string }

const hash = (s: string) => crypto.createHash('sha1').update(s).digest('hex');

export class HeatOverlay implements vscode.Disposable {
    private types: vscode.TextEditorDecorationType[] = [];
    private readonly legendItem: vscode.StatusBarItem;
    private readonly disposables: vscode.Disposable[] = [];
    private visible = true;
    private readonly anchored = new Map<string, Anchored>();
    private readonly applied = new Map<string, AppliedHeat>();
    private highContrast = false;

    constructor(private readonly store: CoverageStore) {
        this.createTypes();
        this.legendItem = vscode.window.createStatusBarItem('whamm.heatLegend', vscode.StatusBarAlignment.Right, 100);
        this.legendItem.name = 'Whamm heat legend';
        this.legendItem.command = 'whamm.hotSpots.focus';
        this.disposables.push(
            this.legendItem,
            store.onDidChange(() => { this.anchored.clear(); this.refresh(); }),
            vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
            vscode.window.onDidChangeActiveColorTheme(() => { this.createTypes(); this.refresh(); }),
            vscode.workspace.onDidChangeTextDocument(e => this.onEdit(e)),
        );
        void vscode.commands.executeCommand('setContext', 'whamm.overlaysVisible', true);
    }

    private createTypes(): void {
        const kind = vscode.window.activeColorTheme.kind;
        const hc = kind === vscode.ColorThemeKind.HighContrast || kind === vscode.ColorThemeKind.HighContrastLight;
        if (hc === this.highContrast && this.types.length) return;
        this.types.forEach(t => t.dispose());
        this.highContrast = hc;
        this.types = [];
        for (let l = 1; l <= HEAT_LEVELS; l++) {
            this.types.push(vscode.window.createTextEditorDecorationType(hc ? {
                isWholeLine: true,
                borderStyle: 'solid', borderWidth: `0 0 0 ${heatBarWidth(l)}px`,
                light: { borderColor: '#b86e00', overviewRulerColor: '#b86e00' },
                dark: { borderColor: '#ffb81c', overviewRulerColor: '#ffb81c' },
                overviewRulerLane: vscode.OverviewRulerLane.Right,
            } : {
                isWholeLine: true,
                light: { backgroundColor: heatColor(l, 'light'), overviewRulerColor: heatColor(l, 'light') },
                dark: { backgroundColor: heatColor(l, 'dark'), overviewRulerColor: heatColor(l, 'dark') },
                overviewRulerLane: vscode.OverviewRulerLane.Right,
            }));
        }
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

    /** The legend's text and accessible label (for tests). */
    legendState(): { text: string; accessibleLabel: string; visible: boolean } {
        return { text: this.legendItem.text, accessibleLabel: this.legendItem.accessibilityInformation?.label ?? '', visible: this.legendShown };
    }
    private legendShown = false;

    private maxHeat(c: LoadedCoverage): number {
        let max = 0;
        for (const f of c.files.values()) for (const n of f.heat.values()) if (n > max) max = n;
        return max;
    }

    /** The file's heat as it stands now (anchored to the document's text the first time it is seen). */
    private current(file: string, data: FileCoverage, doc?: vscode.TextDocument): Anchored {
        let a = this.anchored.get(file);
        if (!a) {
            a = { heat: new Map(data.heat), lines: new Map(data.lines), textHash: doc && !doc.isDirty ? hash(doc.getText()) : undefined };
            this.anchored.set(file, a);
        }
        return a;
    }

    private onEdit(e: vscode.TextDocumentChangeEvent): void {
        if (e.contentChanges.length === 0) return;
        const file = e.document.uri.fsPath;
        const data = this.store.current?.files.get(file);
        if (!data) return;
        const a = this.current(file, data);
        if (a.textHash && hash(e.document.getText()) === a.textHash) {
            // Back to the text of the run (undo, revert): the run's own lines again.
            a.heat = new Map(data.heat);
            a.lines = new Map(data.lines);
        } else {
            const changes: LineChange[] = e.contentChanges.map(c => ({
                startLine: c.range.start.line + 1, endLine: c.range.end.line + 1,
                newLines: (c.text.match(/\n/g) ?? []).length, atLineStart: c.range.start.character === 0,
            }));
            a.heat = shiftLines(a.heat, changes);
            a.lines = shiftLines(a.lines, changes);
        }
        this.refresh();
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
            if (c && data && this.visible) {
                const a = this.current(file, data, editor.document);
                for (const [line, n] of a.heat) {
                    const level = heatLevel(n, max);
                    if (level === 0 || line < 1 || line > editor.document.lineCount) continue;
                    const hits = a.lines.get(line) ?? 0;
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
        if (!c || !this.visible || max === 0) { this.legendItem.hide(); this.legendShown = false; return; }
        const kind = vscode.window.activeColorTheme.kind;
        const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
        this.legendItem.text = `$(flame) heat 1–${formatCount(max)}`;
        const levels = legend(max);
        const md = new vscode.MarkdownString('**Whamm heat** (instructions executed per line, log scale; lines that never ran have none)\n\n', true);
        md.supportHtml = true;
        for (const l of levels) {
            md.appendMarkdown(`<span style="background-color:${toHex(heatColor(l.level, theme))};">&nbsp;&nbsp;&nbsp;&nbsp;</span> ${formatCount(l.from)}–${formatCount(l.to)}\n\n`);
        }
        md.appendMarkdown(`Total: ${formatCount(c.totalInstructions)} instructions. Click for the Hot spots view.`);
        this.legendItem.tooltip = md;
        // Screen readers get words, not the tooltip's markup.
        this.legendItem.accessibilityInformation = {
            label: `Whamm heat legend: ${levels.length} levels from ${formatCount(1)} to ${formatCount(max)} instructions per line, ${formatCount(c.totalInstructions)} in total. Opens the Hot spots view.`,
        };
        this.legendItem.show();
        this.legendShown = true;
    }

    dispose(): void {
        this.types.forEach(t => t.dispose());
        this.disposables.forEach(d => d.dispose());
    }
}

/** Markdown hovers accept only #rrggbb colours: blend the rgba level over white/black. */
function toHex(rgba: string): string {
    const m = /rgba\((\d+), (\d+), (\d+), ([\d.]+)\)/.exec(rgba);
    if (!m) return '#000000';
    const a = Number(m[4]);
    const h = (v: number) => Math.round(v * a + 255 * (1 - a)).toString(16).padStart(2, '0');
    return `#${h(Number(m[1]))}${h(Number(m[2]))}${h(Number(m[3]))}`;
}
