// Whamm: New Script from Template — a quick pick over the monitor gallery shipped with the extension
// (its list comes from the bundled CLI as JSON: `whamm new --list --json`); the chosen monitor opens as
// an untitled script, so nothing on disk is written or replaced until the user saves it.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { runCli } from '../cliProcess.js';

export interface TemplateInfo { name: string; title: string; summary: string; file: string }

const quiet = { stdout: () => undefined, stderr: () => undefined };

export async function listTemplates(extension: vscode.ExtensionContext): Promise<TemplateInfo[]> {
    const r = await runCli({ cliModule: extension.asAbsolutePath('out/cli.cjs'), args: ['new', '--list', '--json'] }, quiet);
    if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `whamm new --list exited with ${r.exitCode}`);
    const list = JSON.parse(r.stdout) as TemplateInfo[];
    if (!Array.isArray(list)) throw new Error('whamm new --list --json did not return a list');
    return list;
}

/** Opens the template `name` (or the one picked) as an untitled Whamm script; undefined when cancelled. */
export async function newScriptFromTemplate(extension: vscode.ExtensionContext, name?: string): Promise<vscode.TextEditor | undefined> {
    let templates: TemplateInfo[];
    try {
        templates = await listTemplates(extension);
    } catch (e) {
        void vscode.window.showErrorMessage(`Whamm: the monitor gallery is not available: ${(e as Error).message}`);
        return undefined;
    }
    let chosen = name ? templates.find(t => t.name === name) : undefined;
    if (!chosen) {
        const pick = await vscode.window.showQuickPick(
            templates.map(t => ({ label: t.title, description: t.name, detail: t.summary, template: t })),
            { title: 'New Whamm Script from Template', placeHolder: 'Choose a monitor (its header explains the report)', matchOnDescription: true, matchOnDetail: true });
        chosen = pick?.template;
    }
    if (!chosen) return undefined;
    const doc = await vscode.workspace.openTextDocument({ language: 'whamm', content: fs.readFileSync(chosen.file, 'utf8') });
    return vscode.window.showTextDocument(doc);
}
