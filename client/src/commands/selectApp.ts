// Chooses the app to instrument: the `whamm.app` setting wins; otherwise the app last picked in this
// workspace; otherwise a picker over the workspace's .wasm and .wat files (or a file dialog). The CLI
// assembles .wat apps itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings, workspaceRoot } from '../settings.js';

const LAST_APP_KEY = 'whamm.lastApp';
const MAX_LISTED = 500;

export function rememberedApp(state: vscode.Memento): string | undefined {
    const p = state.get<string>(LAST_APP_KEY);
    return p && fs.existsSync(p) ? p : undefined;
}

export async function resolveApp(state: vscode.Memento, override?: string): Promise<string | undefined> {
    return override ?? readSettings().app ?? rememberedApp(state) ?? pickApp(state);
}

export async function pickApp(state: vscode.Memento): Promise<string | undefined> {
    const files = await vscode.workspace.findFiles('**/*.{wasm,wat}', '**/{node_modules,.git}/**', MAX_LISTED);
    const root = workspaceRoot();
    const browse: vscode.QuickPickItem = { label: '$(folder-opened) Browse…', alwaysShow: true };
    const items: (vscode.QuickPickItem & { fsPath?: string })[] = files
        .map(u => u.fsPath)
        .sort()
        .map(p => ({ label: path.basename(p), description: root ? path.relative(root, path.dirname(p)) : path.dirname(p), fsPath: p }));
    const picked = await vscode.window.showQuickPick([...items, browse], {
        title: 'Whamm: choose the app (.wasm or .wat) to instrument',
        placeHolder: items.length ? 'Workspace .wasm and .wat files' : 'No .wasm or .wat files in the workspace; browse for one',
        matchOnDescription: true,
    });
    if (!picked) return undefined;
    let chosen = picked === browse ? undefined : (picked as { fsPath?: string }).fsPath;
    if (!chosen) {
        const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { WebAssembly: ['wasm', 'wat'] }, title: 'Choose the app to instrument' });
        chosen = uris?.[0]?.fsPath;
    }
    if (chosen) await state.update(LAST_APP_KEY, chosen);
    return chosen;
}
