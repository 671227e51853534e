import './polyfill.js';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createWhammServices } from './language/whamm-module.js';

// `--stdio`, `--node-ipc` and `--socket=N` are all understood by createConnection, so the same bundle
// serves VS Code (IPC) and other editors (`whamm-language-server --stdio`).
const connection = createConnection(ProposedFeatures.all);
const { shared } = createWhammServices({ connection, ...NodeFileSystem });
startLanguageServer(shared);
