// The trapping line in the editor: a red whole-line background, an error mark in the overview ruler and
// the trap message after the line's text. Set when a run traps, cleared by the next run or an edit of the file.
import * as vscode from 'vscode';
import type { TrapInfo } from './results.js';

export interface TrapMark { file: string; line: number; message: string }

export class TrapMarker implements vscode.Disposable {
    private readonly type = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        light: { backgroundColor: 'rgba(229, 20, 0, 0.16)' },
        dark: { backgroundColor: 'rgba(244, 71, 71, 0.22)' },
        borderColor: new vscode.ThemeColor('editorError.foreground'),
        borderStyle: 'solid',
        borderWidth: '0 0 0 3px',
        overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
        overviewRulerLane: vscode.OverviewRulerLane.Full,
    });
    private mark: TrapMark | undefined;
    private readonly applied = new Set<string>();
    private readonly disposables: vscode.Disposable[];

    constructor() {
        this.disposables = [this.type,
            vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
            vscode.workspace.onDidChangeTextDocument(e => {
                if (this.mark && e.contentChanges.length && e.document.uri.fsPath === this.mark.file) this.set(undefined);
            })];
    }

    set(trap: TrapInfo | undefined): void {
        this.mark = trap?.location ? { file: trap.location.file, line: trap.location.line, message: trap.message } : undefined;
        this.refresh();
    }

    /** The marks drawn now (for tests). */
    current(): TrapMark[] {
        return this.mark && this.applied.has(this.mark.file) ? [this.mark] : [];
    }

    async reveal(): Promise<void> {
        if (!this.mark) return;
        const pos = new vscode.Position(this.mark.line - 1, 0);
        await vscode.window.showTextDocument(vscode.Uri.file(this.mark.file), { selection: new vscode.Range(pos, pos), preview: false });
    }

    private refresh(): void {
        this.applied.clear();
        for (const ed of vscode.window.visibleTextEditors) {
            const m = this.mark;
            if (m && ed.document.uri.fsPath === m.file && m.line >= 1 && m.line <= ed.document.lineCount) {
                const range = new vscode.Range(m.line - 1, 0, m.line - 1, 0);
                ed.setDecorations(this.type, [{
                    range,
                    hoverMessage: new vscode.MarkdownString().appendText(`Whamm: the app trapped here: ${m.message}`),
                    renderOptions: { after: { contentText: `  ⚠ trap: ${m.message}`, color: new vscode.ThemeColor('editorError.foreground'), margin: '0 0 0 1em' } },
                }]);
                this.applied.add(m.file);
            } else {
                ed.setDecorations(this.type, []);
            }
        }
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}
