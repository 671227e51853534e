// The latest coverage run, shared by the Test Coverage integration, the heat overlay and the Hot spots view.
import * as vscode from 'vscode';
import type { LoadedCoverage } from './model.js';

export class CoverageStore implements vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<LoadedCoverage | undefined>();
    readonly onDidChange = this.changed.event;
    private value: LoadedCoverage | undefined;

    get current(): LoadedCoverage | undefined { return this.value; }

    set(c: LoadedCoverage | undefined): void {
        this.value = c;
        this.changed.fire(c);
    }

    dispose(): void { this.changed.dispose(); }
}
