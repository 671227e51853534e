import './polyfill.js';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createWhammServices } from './language/whamm-module.js';
import { computeSites } from './language/lsp/sites.js';
import { computePreview } from './language/lsp/preview.js';
import { PREVIEW_REQUEST, SITES_REQUEST, type PreviewParams, type SitesParams } from './protocol.js';

// `--stdio`, `--node-ipc` and `--socket=N` are all understood by createConnection, so the same bundle
// serves VS Code (IPC) and other editors (`whamm-language-server --stdio`).
const connection = createConnection(ProposedFeatures.all);
// Last line of defence: a bug reached from an event handler is logged and the server goes on serving
// (Node would otherwise exit, and editors stop restarting a server that keeps dying). Request handlers
// already answer with an error reply when they throw.
const logFailure = (what: string) => (err: unknown) => {
    try { console.error(`whamm-language-server: ${what}:`, err); } catch { /* stderr gone: nothing to tell */ }
};
process.on('uncaughtException', logFailure('uncaught error'));
process.on('unhandledRejection', logFailure('unhandled rejection'));
const { shared } = createWhammServices({ connection, ...NodeFileSystem });
// Match preview for the client's "N sites" CodeLens (see language/lsp/sites.ts).
connection.onRequest(SITES_REQUEST, (p: SitesParams) => computeSites(p));
// The injection preview (language/lsp/preview.ts).
connection.onRequest(PREVIEW_REQUEST, (p: PreviewParams, token) => computePreview(p, token));
startLanguageServer(shared);
