// CodeLenses of a .mm script: "Instrument and Run" at the top and above each probe, and "N sites" above
// each probe — how many places of the selected app the probe matches, computed by the language server
// (`whamm/sites`) without running anything. Clicking "N sites" lists them with source locations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../commands/ids.js';
import { rememberedApp } from '../commands/selectApp.js';
import { readSettings, workspaceRoot } from '../settings.js';
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
        const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri) ?? [];
        const probes = symbols.filter(s => s.kind === vscode.SymbolKind.Event);
        const sites = this.sites(doc, token);
        const result = sites ? await sites : undefined;
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
        type Item = vscode.QuickPickItem & { file?: string; line?: number; column?: number };
        const root = workspaceRoot();
        const items: Item[] = p.sites.map(s => ({
            label: `${s.fname || `func ${s.fid}`} @ pc ${s.pc}`,
            description: s.file ? `${root && s.file.startsWith(root) ? path.relative(root, s.file) : s.file}:${s.line}${s.column ? `:${s.column}` : ''}` : `offset 0x${s.offset.toString(16)} (no source location)`,
            detail: s.rule,
            file: s.file, line: s.line, column: s.column,
        }));
        const more = p.count > p.sites.length ? ` (first ${p.sites.length} listed)` : '';
        const picked = await vscode.window.showQuickPick(items, {
            title: `${p.count} site${p.count === 1 ? '' : 's'} of ${p.rule}${more}`, matchOnDescription: true, matchOnDetail: true,
        });
        if (!picked) return;
        if (picked.file && fs.existsSync(picked.file)) {
            const pos = new vscode.Position(Math.max(0, (picked.line ?? 1) - 1), Math.max(0, (picked.column ?? 1) - 1));
            await vscode.window.showTextDocument(vscode.Uri.file(picked.file), { selection: new vscode.Range(pos, pos) });
        } else {
            // Nothing to open: say why instead of doing nothing.
            void vscode.window.showInformationMessage(picked.file
                ? `Whamm: the debug info names ${picked.file}:${picked.line}, which is not on this machine (${picked.label}).`
                : `Whamm: ${picked.label} has no source location (the app has no debug info for it).`);
        }
    }

    dispose(): void { this.disposables.forEach(d => d.dispose()); }
}
