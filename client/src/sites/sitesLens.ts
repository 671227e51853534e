// CodeLenses of a .mm script: "Instrument and Run" at the top and above each probe, and "N sites" above
// each probe — how many places of the selected app the probe matches, computed by the language server
// (`whamm/sites`) without running anything. Clicking "N sites" lists them with source locations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../commands/ids.js';
import { rememberedApp } from '../commands/selectApp.js';
import { readSettings, workspaceRoot } from '../settings.js';
import { pickSite } from '../preview/sitesPicker.js';
import { SERVER_ANSWER_MS, withDeadline } from '../deadline.js';
import { SITES_REQUEST, type ProbeSites, type SitesParams, type SitesResult } from '../../../server/src/protocol.js';
export const SHOW_SITES = 'whamm.showSites';

export type SendRequest = <R>(method: string, params: unknown, token?: vscode.CancellationToken) => Promise<R>;

export class SitesLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;
    private readonly cache = new Map<string, { key: string; result: Promise<SitesResult> }>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly state: vscode.Memento, private readonly send: SendRequest) {
        this.disposables.push(this.changed,
            vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('whamm')) this.invalidate(); }),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate()));
    }

    invalidate(): void {
        this.cache.clear();
        this.changed.fire();
    }

    private app(): string | undefined {
        return readSettings().app ?? rememberedApp(this.state);
    }

    /** Sites of every probe of `doc` in the selected app (cached per document version and app). */
    sites(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<SitesResult> | undefined {
        const app = this.app();
        if (!app || !vscode.workspace.isTrusted) return undefined;
        let st: fs.Stats;
        try { st = fs.statSync(app); } catch { return Promise.resolve({ probes: [], mapping: 'none', error: `the app does not exist: ${app}` }); }
        const key = `${doc.version}|${app}|${st.mtimeMs}`;
        const hit = this.cache.get(doc.uri.toString());
        if (hit?.key === key) return hit.result;
        const settings = readSettings(doc.uri);
        const params: SitesParams = {
            app, script: doc.getText(), scriptPath: doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
            userLibs: settings.userLibs, limit: 1000,
            searchRoots: (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath),
        };
        const result = this.send<SitesResult>(SITES_REQUEST, params, token)
            .catch((e: unknown) => ({ probes: [], mapping: 'none' as const, error: (e as Error).message ?? String(e) }));
        this.cache.set(doc.uri.toString(), { key, result });
        return result;
    }

    async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
        const lenses: vscode.CodeLens[] = [];
        const top = new vscode.Range(0, 0, 0, 0);
        const trusted = vscode.workspace.isTrusted;
        if (trusted) lenses.push(new vscode.CodeLens(top, { title: '$(play) Instrument and Run', command: Commands.instrumentAndRun, arguments: [doc.uri] }));
        const app = this.app();
        if (trusted) {
            lenses.push(new vscode.CodeLens(top, app
                ? { title: `app: ${path.basename(app)}`, tooltip: app, command: Commands.selectApp }
                : { title: 'choose an app to preview match sites', command: Commands.selectApp }));
        }
        // A language server that does not answer leaves the lenses above the probes out (and the counts
        // unknown), never the editor waiting for them.
        const symbols = await withDeadline(vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri),
            SERVER_ANSWER_MS, 'the Whamm language server').catch(() => undefined) ?? [];
        const probes = symbols.filter(s => s.kind === vscode.SymbolKind.Event);
        const sites = this.sites(doc, token);
        const result = sites ? await withDeadline(sites, SERVER_ANSWER_MS, 'the Whamm language server').catch((e: Error) => {
            this.cache.delete(doc.uri.toString());
            return { probes: [], mapping: 'none' as const, error: e.message };
        }) : undefined;
        if (token.isCancellationRequested) return [];
        const byLine = new Map<number, ProbeSites>((result?.probes ?? []).map(p => [p.line, p]));
        for (const [i, p] of probes.entries()) {
            const at = new vscode.Range(p.range.start, p.range.start);
            if (trusted) lenses.push(new vscode.CodeLens(at, { title: '$(play) Run this probe', tooltip: 'Instrument and run with this probe only', command: Commands.instrumentAndRun, arguments: [doc.uri, { probe: i }] }));
            if (!result) continue;
            const s = byLine.get(p.range.start.line);
            if (s) {
                lenses.push(new vscode.CodeLens(at, {
                    title: `${s.count} site${s.count === 1 ? '' : 's'}`,
                    tooltip: `Places in ${app ? path.basename(app) : 'the app'} where this probe would be inserted`,
                    command: SHOW_SITES, arguments: [doc.uri, s.index],
                }));
            } else if (result.error) {
                lenses.push(new vscode.CodeLens(at, { title: '? sites', tooltip: result.error, command: '' }));
            }
        }
        return lenses;
    }

    /** "N sites" clicked: a picker over the probe's sites; picking one with a source location opens it. */
    async showSites(uri: vscode.Uri, probe: number): Promise<void> {
        const doc = await vscode.workspace.openTextDocument(uri);
        const r = await this.sites(doc);
        const p = r?.probes.find(x => x.index === probe);
        if (!p) return;
        // Grouped by function and source file, moving the injection preview along (preview/sitesPicker.ts).
        await pickSite(uri, p, workspaceRoot());
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}
