// Starts the bundled language server (out/server.cjs) in a Node child process over IPC.
// The client owns no language logic: diagnostics, completion, hover... all come from the server.
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SECTION, readSettings } from './settings.js';
import type { WhammOutput } from './output.js';

export const CLIENT_ID = 'whamm';

export class WhammLanguageClient implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private starting: Promise<void> | undefined;
    /** Server log and LSP trace (whamm.trace.server); kept across restarts. */
    private readonly serverLog = vscode.window.createOutputChannel('Whamm Language Server', { log: true });

    constructor(private readonly context: vscode.ExtensionContext, private readonly output: WhammOutput) {}

    get state(): 'stopped' | 'starting' | 'running' {
        switch (this.client?.state) {
            case State.Running: return 'running';
            case State.Starting: return 'starting';
            default: return 'stopped';
        }
    }

    /**
     * Resolves once the server answered `initialize`; rejects (after logging) when it cannot start.
     * Idempotent: callers racing each other (a restart and a request from a CodeLens, say) share one
     * client, and a client that is restarting its crashed server by itself is waited for, not replaced:
     * two live clients would publish every diagnostic twice.
     */
    async start(): Promise<void> {
        if (this.starting) return this.starting;
        const current = this.client;
        if (current && (await settled(current)) === State.Running && this.client === current) return;
        this.starting ??= this.doStart().finally(() => { this.starting = undefined; });
        return this.starting;
    }

    /** A custom request to the running server (e.g. `whamm/sites`); rejects when it is not running. */
    async sendRequest<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R> {
        if (!this.client || this.client.state !== State.Running) await this.start();
        if (!this.client) throw new Error('the language server is not running');
        return this.client.sendRequest<R>(method, params, token);
    }

    async restart(): Promise<void> {
        await this.stop();
        await this.start();
    }

    async stop(): Promise<void> {
        // Stop the client a concurrent start is creating, not only the one that was there before.
        if (this.starting) await this.starting.catch(() => undefined);
        const client = this.client;
        this.client = undefined;
        if (client) await this.retire(client, 5000);
    }

    /** Stops a client for good; one still starting (it cannot be stopped then) is waited for first. */
    private async retire(client: LanguageClient, timeoutMs: number): Promise<void> {
        await settled(client);
        try {
            await client.dispose(timeoutMs);
        } catch (err) {
            this.output.appendLine(`[client] stopping the language server: ${errorText(err)}`);
        }
    }

    private async doStart(): Promise<void> {
        const serverModule = this.context.asAbsolutePath('out/server.cjs');
        const serverOptions: ServerOptions = {
            run: { module: serverModule, transport: TransportKind.ipc },
            debug: {
                module: serverModule,
                transport: TransportKind.ipc,
                options: { execArgv: ['--nolazy', '--inspect=6009'] },
            },
        };
        const settings = readSettings();
        const clientOptions: LanguageClientOptions = {
            documentSelector: [
                { scheme: 'file', language: 'whamm' },
                { scheme: 'untitled', language: 'whamm' },
            ],
            // The server checks `use lib;` calls against the configured libraries.
            initializationOptions: { userLibs: settings.userLibs },
            synchronize: {
                configurationSection: SECTION,
                fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{mm,wasm}'),
            },
            outputChannel: this.serverLog,
        };
        // A client left over from a failed start or a crash is replaced, never left running beside the new one.
        const stale = this.client;
        this.client = undefined;
        if (stale) await this.retire(stale, 2000);
        const client = new LanguageClient(CLIENT_ID, 'Whamm Language Server', serverOptions, clientOptions);
        this.client = client;
        try {
            await client.start();
            this.output.appendLine(`[client] language server started (${serverModule})`);
        } catch (err) {
            this.output.appendLine(`[client] the language server failed to start: ${errorText(err)}`);
            if (this.client === client) this.client = undefined;
            throw err;
        }
    }

    dispose(): void {
        void this.stop().finally(() => this.serverLog.dispose());
    }
}

export function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

const SETTLE_TIMEOUT_MS = 30_000;

/** The client's state once it is no longer starting (or after a generous timeout). */
function settled(client: LanguageClient): Promise<State> {
    if (client.state !== State.Starting) return Promise.resolve(client.state);
    return new Promise(resolve => {
        const timer = setTimeout(() => { sub.dispose(); resolve(client.state); }, SETTLE_TIMEOUT_MS);
        const sub = client.onDidChangeState(e => {
            if (e.newState === State.Starting) return;
            clearTimeout(timer);
            sub.dispose();
            resolve(e.newState);
        });
    });
}
