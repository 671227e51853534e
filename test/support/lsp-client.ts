// A minimal LSP client for tests and the LSP benchmark: spawns the bundled language server
// (`node out/server.cjs --stdio`, building it first if missing) and talks JSON-RPC over its stdio, the way
// an editor does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
    CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, Location, Position, PublishDiagnosticsParams,
    SemanticTokens, TextEdit, WorkspaceEdit, FoldingRange,
} from 'vscode-languageserver-protocol';
import { PROJECT_ROOT } from './shared.js';

export const SERVER_BUNDLE = path.join(PROJECT_ROOT, 'out', 'server.cjs');

/** Builds out/server.cjs when it is missing (or when WHAMM_REBUILD_SERVER is set). */
export function ensureServerBundle(): void {
    if (fs.existsSync(SERVER_BUNDLE) && !process.env.WHAMM_REBUILD_SERVER) return;
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, '.ci', 'build.mjs')], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('building out/server.cjs failed');
}

export class LspClient {
    private readonly child: ChildProcess;
    readonly connection: MessageConnection;
    private readonly diagnostics = new Map<string, Diagnostic[]>();
    private readonly waiters = new Map<string, Array<(d: Diagnostic[]) => void>>();
    private readonly versions = new Map<string, number>();
    stderr = '';

    constructor() {
        ensureServerBundle();
        this.child = spawn(process.execPath, [...(process.env.WHAMM_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), SERVER_BUNDLE, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
        this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
        // A crashed server closes its pipes; that is reported through `exited`, not as an error here.
        this.child.stdin!.on('error', () => undefined);
        this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
        this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
            this.diagnostics.set(p.uri, p.diagnostics);
            const ws = this.waiters.get(p.uri);
            if (ws) { this.waiters.delete(p.uri); for (const w of ws) w(p.diagnostics); }
        });
        this.connection.onRequest('workspace/configuration', () => []);
        this.connection.onRequest('client/registerCapability', () => null);
        this.connection.onRequest('window/workDoneProgress/create', () => null);
        this.connection.listen();
    }

    /** True once the server process has exited (crashed, or after shutdown). */
    get exited(): boolean {
        return this.child.exitCode !== null || this.child.signalCode !== null;
    }

    /** CPU time (user + system, ms) the server process has used so far; Linux only (10 ms resolution). */
    serverCpuMs(): number | undefined {
        try {
            const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
            const fields = stat.substring(stat.lastIndexOf(')') + 2).split(' ');
            return (Number(fields[11]) + Number(fields[12])) * 10;
        } catch {
            return undefined;
        }
    }

    /** Published diagnostics of a document, if the server published any. */
    published(uri: string): Diagnostic[] | undefined {
        return this.diagnostics.get(uri);
    }

    async initialize(workspaceFolder?: string): Promise<unknown> {
        const folder = workspaceFolder ? `file://${workspaceFolder}` : null;
        const result = await this.connection.sendRequest('initialize', {
            processId: process.pid, rootUri: folder, workspaceFolders: folder ? [{ uri: folder, name: 'workspace' }] : null,
            capabilities: {
                textDocument: {
                    completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
                    hover: { contentFormat: ['markdown', 'plaintext'] },
                    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
                    semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
                    publishDiagnostics: { relatedInformation: true },
                },
            },
        });
        await this.connection.sendNotification('initialized', {});
        return result;
    }

    /** Opens a document and resolves with the first diagnostics published for it. */
    open(uri: string, text: string, languageId = 'whamm'): Promise<Diagnostic[]> {
        const p = this.nextDiagnostics(uri);
        this.versions.set(uri, 1);
        void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
        return p;
    }

    /** Replaces the whole text and resolves with the diagnostics published after the change. */
    change(uri: string, text: string): Promise<Diagnostic[]> {
        const version = (this.versions.get(uri) ?? 1) + 1;
        this.versions.set(uri, version);
        const p = this.nextDiagnostics(uri);
        void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
        return p;
    }

    close(uri: string): void {
        void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }

    nextDiagnostics(uri: string): Promise<Diagnostic[]> {
        return new Promise(resolve => {
            const list = this.waiters.get(uri) ?? [];
            list.push(resolve);
            this.waiters.set(uri, list);
        });
    }

    async completion(uri: string, position: Position): Promise<CompletionItem[]> {
        const r = await this.connection.sendRequest<CompletionList | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position });
        return Array.isArray(r) ? r : r?.items ?? [];
    }

    hover(uri: string, position: Position): Promise<Hover | null> {
        return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
    }

    definition(uri: string, position: Position): Promise<Location | Location[] | null> {
        return this.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position });
    }

    references(uri: string, position: Position, includeDeclaration = true): Promise<Location[] | null> {
        return this.connection.sendRequest('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration } });
    }

    rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
        return this.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName });
    }

    symbols(uri: string): Promise<DocumentSymbol[] | null> {
        return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
    }

    formatting(uri: string): Promise<TextEdit[] | null> {
        return this.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
    }

    folding(uri: string): Promise<FoldingRange[] | null> {
        return this.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri } });
    }

    semanticTokens(uri: string): Promise<SemanticTokens | null> {
        return this.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
    }

    async shutdown(): Promise<void> {
        try {
            await Promise.race([this.connection.sendRequest('shutdown'), new Promise(r => setTimeout(r, 2000))]);
            await this.connection.sendNotification('exit');
        } catch { /* the server may already be gone */ }
        if (this.child.exitCode === null) {
            await new Promise(resolve => { const t = setTimeout(resolve, 3000); this.child.once('exit', () => { clearTimeout(t); resolve(undefined); }); });
        }
        this.connection.dispose();
        if (this.child.exitCode === null) this.child.kill();
    }
}

/** Position (0-based line/character) of the first occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
    let index = -1;
    for (let i = 0; i <= occurrence; i++) index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`\`${needle}\` not found`);
    const offset = index + delta;
    const before = text.substring(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Applies non-overlapping text edits to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
    const offsetAt = (p: Position) => {
        const lines = text.split('\n');
        let o = 0;
        for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
        return o + p.character;
    };
    const sorted = [...edits].sort((a, b) => offsetAt(b.range.start) - offsetAt(a.range.start));
    let out = text;
    for (const e of sorted) out = out.substring(0, offsetAt(e.range.start)) + e.newText + out.substring(offsetAt(e.range.end));
    return out;
}
