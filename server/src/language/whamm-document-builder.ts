// Scripts never refer to each other (nothing is exported, see whamm-scope.ts), so an edit in one document
// never requires relinking another. Langium's default relinks every open document that has unresolved
// references — and every script "has" them, since bound variables and built-ins are not AST nodes — which
// made each keystroke re-validate all open scripts.
// A build phase that throws on one document (a bug, never the user's text) is logged and that document
// gets an "internal error" diagnostic; it still reaches every later state, so requests waiting for it
// answer instead of hanging and the other documents build normally.
import { DefaultDocumentBuilder, DocumentState, isOperationCancelled, type LangiumDocument, type URI } from 'langium';
import type { CancellationToken } from 'vscode-languageserver';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { WhammDocumentFactory } from './whamm-document-factory.js';

const failures = new WeakMap<LangiumDocument, string>();

/** The "internal error" diagnostic of a document whose build failed, if it did (see the header comment). */
export function buildFailure(document: LangiumDocument): Diagnostic | undefined {
    const message = failures.get(document);
    return message === undefined ? undefined : {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 1, source: 'whamm',
        code: 'internal-error', message: `Internal error while analysing this script (${message}); the results shown may be incomplete`,
    };
}

export class WhammDocumentBuilder extends DefaultDocumentBuilder {
    override async update(changed: URI[], deleted: URI[], cancelToken?: CancellationToken): Promise<void> {
        // What the incremental parser keeps of a closed document goes with it.
        const factory = this.langiumDocumentFactory as Partial<WhammDocumentFactory>;
        for (const uri of deleted) factory.forget?.(uri);
        return super.update(changed, deleted, cancelToken);
    }

    protected override shouldRelink(_document: LangiumDocument, _changedUris: Set<string>): boolean {
        return false;
    }

    protected override async runCancelable(documents: LangiumDocument[], targetState: DocumentState, cancelToken: CancellationToken,
        callback: (document: LangiumDocument) => unknown): Promise<void> {
        return super.runCancelable(documents, targetState, cancelToken, async document => {
            if (targetState === DocumentState.Parsed || targetState === DocumentState.IndexedContent) failures.delete(document);
            try {
                await callback(document);
            } catch (err) {
                if (isOperationCancelled(err)) throw err;
                console.error(`whamm: building ${document.uri.toString()} failed:`, err);
                failures.set(document, err instanceof Error ? err.message : String(err));
                if (targetState === DocumentState.Validated) document.diagnostics = [buildFailure(document)!];
            }
        });
    }
}
export type { URI };
