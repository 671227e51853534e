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
const { shared } = createWhammServices({ connection, ...NodeFileSystem });
// Match preview for the client's "N sites" CodeLens (see language/lsp/sites.ts).
connection.onRequest(SITES_REQUEST, (p: SitesParams) => computeSites(p));
// The injection preview (language/lsp/preview.ts).
connection.onRequest(PREVIEW_REQUEST, (p: PreviewParams) => computePreview(p));
startLanguageServer(shared);
