// Probes that match nothing in the selected app are a warning on their rule, with the reason the server
// found ("no call site has arg0 of type f64", "every site is also matched by probe 2, which replaces the
// instruction (alt)", "its predicate is false at every site"). Computed from the same dry run as the
// "N sites" lenses, on the unsaved text, debounced.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rememberedApp } from '../commands/selectApp.js';
import { readSettings } from '../settings.js';
import { SITES_REQUEST, type SitesParams, type SitesResult } from '../../../server/src/protocol.js';
import type { SendRequest } from './controller.js';

export const NO_MATCH_SOURCE = 'whamm (app)';
const DEBOUNCE_MS = 400;

export class NoMatchWarnings implements vscode.Disposable {
    private readonly diagnostics = vscode.languages.createDiagnosticCollection('whamm-matches');
    private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
    private readonly pending = new Map<string, vscode.CancellationTokenSource>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly state: vscode.Memento, private readonly send: SendRequest) {
        this.disposables.push(this.diagnostics,
            vscode.workspace.onDidOpenTextDocument(d => this.schedule(d, 0)),
            vscode.workspace.onDidChangeTextDocument(e => this.schedule(e.document, DEBOUNCE_MS)),
            vscode.workspace.onDidCloseTextDocument(d => this.diagnostics.delete(d.uri)),
            vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('whamm')) this.all(); }),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.all()),
        );
        this.all();
    }

    /** Re-checks every open script (after the app changed, for instance). */
    all(): void {
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    }

    private schedule(doc: vscode.TextDocument, delay: number): void {
        if (doc.languageId !== 'whamm') return;
        const key = doc.uri.toString();
        const t = this.timers.get(key);
        if (t) clearTimeout(t);
        this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.check(doc); }, delay));
    }

    private async check(doc: vscode.TextDocument): Promise<void> {
        const app = readSettings().app ?? rememberedApp(this.state);
        if (!app || !vscode.workspace.isTrusted || doc.isClosed) { this.diagnostics.delete(doc.uri); return; }
        const key = doc.uri.toString();
        this.pending.get(key)?.cancel();
        const cts = new vscode.CancellationTokenSource();
        this.pending.set(key, cts);
        const params: SitesParams = {
            app, script: doc.getText(), scriptPath: doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
            userLibs: readSettings(doc.uri).userLibs, limit: 1000,
            searchRoots: (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath),
        };
        let r: SitesResult;
        try { r = await this.send<SitesResult>(SITES_REQUEST, params, cts.token); } catch { return; }
        if (cts.token.isCancellationRequested) return;
        // A script with errors has its own diagnostics; keep the last warnings until it parses again.
        if (r.error === 'the script has errors') return;
        const out: vscode.Diagnostic[] = [];
        for (const p of r.probes) {
            if (!p.noMatch || !p.ruleRange) continue;
            const rr = p.ruleRange;
            const d = new vscode.Diagnostic(new vscode.Range(rr.line, rr.character, rr.endLine, rr.endCharacter),
                `This probe matches nothing in ${path.basename(app)}: ${p.noMatch}`, vscode.DiagnosticSeverity.Warning);
            d.source = NO_MATCH_SOURCE;
            out.push(d);
        }
        this.diagnostics.set(doc.uri, out);
    }

    dispose(): void {
        for (const t of this.timers.values()) clearTimeout(t);
        for (const c of this.pending.values()) c.cancel();
        this.disposables.forEach(d => d.dispose());
    }
}
