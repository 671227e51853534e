// Shared helpers for the suite that runs inside the VS Code extension host (both runners).
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'whamm-tools.whamm-vscode';

export interface WhammApi {
    serverState(): 'stopped' | 'starting' | 'running';
    serverReady: Promise<void>;
    outputText(): string;
}

export function workspaceDir(): string {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error('the e2e runner must open the fixture workspace (no folder is open)');
    return folder.uri.fsPath;
}

export function fixtureUri(name: string): vscode.Uri {
    return vscode.Uri.file(path.join(workspaceDir(), name));
}

export async function activateExtension(): Promise<{ ext: vscode.Extension<WhammApi>; api: WhammApi }> {
    const ext = vscode.extensions.getExtension<WhammApi>(EXTENSION_ID);
    if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
    const api = await ext.activate();
    return { ext, api };
}

export function sleep(ms: number): Promise<void> {
    return new Promise(r => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(100);
    }
}

/** Diagnostics of `uri` once the server published at least `min` of them. */
export function waitForDiagnostics(uri: vscode.Uri, min: number, timeoutMs = 20000): Promise<vscode.Diagnostic[]> {
    return waitFor(`${min}+ diagnostics on ${path.basename(uri.fsPath)}`, () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length >= min ? d : undefined;
    }, timeoutMs);
}

export async function openWhamm(name: string, show = false): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
    if (show) await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
}

export async function openUntitledWhamm(content: string): Promise<vscode.TextDocument> {
    return vscode.workspace.openTextDocument({ language: 'whamm', content });
}

export function describeDiagnostics(doc: vscode.TextDocument, diags: readonly vscode.Diagnostic[]): string {
    return diags.map(d => `${d.range.start.line + 1}:${d.range.start.character + 1} "${doc.getText(d.range)}" ${vscode.DiagnosticSeverity[d.severity]}: ${d.message}`).join('\n') || '(none)';
}

export async function completionLabels(doc: vscode.TextDocument, pos: vscode.Position): Promise<{ labels: string[]; items: vscode.CompletionItem[] }> {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos);
    const items = list?.items ?? [];
    const labels = items.map(i => typeof i.label === 'string' ? i.label : i.label.label);
    return { labels, items };
}
