// Notifications with actions, recorded (the last few) so the integration tests can read what a user saw.
import * as vscode from 'vscode';

export interface Shown { level: 'info' | 'warning' | 'error'; text: string; actions: string[] }

export class Notifier {
    private readonly shown: Shown[] = [];

    /** Shows a notification; resolves to the action picked (undefined when dismissed). */
    notify(level: Shown['level'], text: string, ...actions: string[]): Thenable<string | undefined> {
        this.shown.push({ level, text, actions });
        if (this.shown.length > 20) this.shown.shift();
        const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        return show(text, ...actions);
    }

    /** Records what would have been shown, without showing it (quiet runs: tests, callers that tell the user themselves). */
    record(level: Shown['level'], text: string): void {
        this.shown.push({ level, text, actions: [] });
        if (this.shown.length > 20) this.shown.shift();
    }

    recent(): Shown[] { return [...this.shown]; }
}
