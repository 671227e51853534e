// Running instruments and executes code named by the workspace (app, libraries, CLI path), so the run
// commands need a trusted workspace. Editing support (the language server) works everywhere.
import * as vscode from 'vscode';

/** False (after telling the user why, without waiting for them) when the workspace is not trusted. */
export function requireTrust(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    const manage = 'Manage Workspace Trust';
    void vscode.window.showWarningMessage(
        `Whamm: ${action} is disabled in Restricted Mode. It runs the app and the instrumentation CLI ` +
        `with settings taken from this workspace; trust the workspace to enable it.`,
        manage).then(choice => {
            if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
        });
    return false;
}
