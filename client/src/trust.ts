// Running instruments and executes code named by the workspace (app, libraries, CLI path), so the run
// commands need a trusted workspace. Editing support (the language server) works everywhere.
import * as vscode from 'vscode';

export async function requireTrust(action: string): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showWarningMessage(
        `Whamm: ${action} is disabled in Restricted Mode. It runs the app and the instrumentation CLI ` +
        `with settings taken from this workspace; trust the workspace to enable it.`,
        manage);
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
}
