// How the language server treats the workspace. Scripts never refer to each other (see whamm-scope.ts), so
// only the documents the editor opens as Whamm are analysed: the workspace folders are not scanned at
// start-up, files changed on disk are not loaded, and a document opened under another language id is left
// alone. `.mm` is also Objective-C++'s extension: a project full of `.mm` sources must not be parsed as
// Whamm, and one unparsable file must never stop the server from starting.
// Every document the server holds is therefore a Whamm script, whatever its name: an untitled script, or a
// file of another extension switched to Whamm. Langium looks a document's language up by the editor's
// language id while it is open and by its file extension after it is closed; an untitled script closed
// (no extension) made that lookup throw in every later build, so no document was analysed again and the
// requests waiting for one (symbols, CodeLenses) never answered. The registry answers Whamm for any URI.
import { DefaultServiceRegistry, DefaultWorkspaceManager, isOperationCancelled, type LangiumCoreServices, type URI } from 'langium';
import { DefaultDocumentUpdateHandler } from 'langium/lsp';
import type { DidChangeWatchedFilesParams, TextDocumentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export const WHAMM_LANGUAGE_ID = 'whamm';

export class WhammServiceRegistry extends DefaultServiceRegistry {
    override getServices(uri: URI): LangiumCoreServices {
        const only = this.languageIdMap.get(WHAMM_LANGUAGE_ID);
        return only ?? super.getServices(uri);
    }

    override hasServices(uri: URI): boolean {
        return this.languageIdMap.has(WHAMM_LANGUAGE_ID) || super.hasServices(uri);
    }
}

export class WhammWorkspaceManager extends DefaultWorkspaceManager {
    protected override async traverseFolder(): Promise<void> {
        // Nothing in the workspace is needed to analyse an open script.
    }
}

export class WhammDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    override didChangeContent(change: TextDocumentChangeEvent<TextDocument>): void {
        if (change.document.languageId !== WHAMM_LANGUAGE_ID) return;
        super.didChangeContent(change);
    }

    override didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
        // Open documents hold the editor's text; closed files are not analysed.
        this.onWatchedFilesChangeEmitter.fire(params);
    }

    protected override fireDocumentUpdate(changed: URI[], deleted: URI[]): void {
        this.workspaceManager.ready
            .then(() => this.workspaceLock.write(token => this.documentBuilder.update(changed, deleted, token)))
            .catch(err => {
                // A failed build must not end the server (an unhandled rejection would): log it and go on.
                if (!isOperationCancelled(err)) console.error('whamm: document update failed:', err);
            });
    }
}
