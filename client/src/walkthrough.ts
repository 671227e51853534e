// Progress of the "Get started" walkthrough: context keys the walkthrough's completionEvents wait for,
// set when the user has actually done each step (not when a link was clicked):
//   whamm.walkthrough.scriptOpened  a Whamm script is the active editor
//   whamm.walkthrough.ran           Instrument and Run got as far as running the app
//   whamm.walkthrough.reportShown   a run's report reached the Report view
//   whamm.walkthrough.coverageRan   a coverage run finished
//   whamm.walkthrough.heatSeen      heat is drawn on a visible source file
import * as vscode from 'vscode';
import type { RunOutcome } from './commands/instrumentAndRun.js';
import type { AppliedHeat } from './heat/overlay.js';
import type { ReportTable } from './report/table.js';

export const WalkthroughKeys = {
    scriptOpened: 'whamm.walkthrough.scriptOpened',
    ran: 'whamm.walkthrough.ran',
    reportShown: 'whamm.walkthrough.reportShown',
    coverageRan: 'whamm.walkthrough.coverageRan',
    heatSeen: 'whamm.walkthrough.heatSeen',
} as const;

export interface WalkthroughSources {
    onDidFinishRun: vscode.Event<RunOutcome>;
    onDidFinishCoverage: vscode.Event<unknown>;
    heatDecorations(): AppliedHeat[];
    reportTables(): ReportTable[];
}

/** Registers the step tracking and `whamm.openDemoScript` (opens the workspace's first script). */
export function registerWalkthrough(context: vscode.ExtensionContext, src: WalkthroughSources): { done(): string[] } {
    const done = new Set<string>();
    const mark = (key: string) => {
        if (done.has(key)) return;
        done.add(key);
        void vscode.commands.executeCommand('setContext', key, true);
    };
    const checkEditor = (e: vscode.TextEditor | undefined) => { if (e?.document.languageId === 'whamm') mark(WalkthroughKeys.scriptOpened); };
    const checkHeat = () => {
        const visible = new Set(vscode.window.visibleTextEditors.map(e => e.document.uri.fsPath));
        if (src.heatDecorations().some(h => visible.has(h.file) && Object.values(h.levels).some(lines => lines.length > 0))) mark(WalkthroughKeys.heatSeen);
    };
    checkEditor(vscode.window.activeTextEditor);
    context.subscriptions.push(
        vscode.window.onDidChangeActiveTextEditor(checkEditor),
        vscode.window.onDidChangeVisibleTextEditors(() => setTimeout(checkHeat, 300)),
        src.onDidFinishRun(o => {
            if (o.phase !== 'run' || o.cancelled) return;
            mark(WalkthroughKeys.ran);
            // The Report view is filled from the same event; look once it had its turn.
            setTimeout(() => { if (o.result?.report !== undefined && src.reportTables().length > 0) mark(WalkthroughKeys.reportShown); }, 200);
        }),
        src.onDidFinishCoverage(() => {
            mark(WalkthroughKeys.coverageRan);
            setTimeout(checkHeat, 300);
        }),
        vscode.commands.registerCommand('whamm.openDemoScript', async () => {
            const [first] = await vscode.workspace.findFiles('scripts/*.mm', undefined, 1);
            const any = first ?? (await vscode.workspace.findFiles('**/*.mm', '**/node_modules/**', 1))[0];
            if (!any) {
                void vscode.window.showInformationMessage('Whamm: this workspace has no .mm script; use "Whamm: New Script from Template".');
                return undefined;
            }
            return vscode.window.showTextDocument(any);
        }),
    );
    return { done: () => [...done] };
}
