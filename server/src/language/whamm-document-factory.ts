// Documents the editor changes are parsed incrementally (incremental-parse.ts): Langium's builder parses
// every new version of an open document through `parseAsync`, which here reuses the top-level items the
// edit left alone. Documents created once (the CLI, tests) keep the plain parse, and their URIs no state.
import { DefaultLangiumDocumentFactory, type LangiumSharedCoreServices, type ParseResult, type URI } from 'langium';
import type { CancellationToken } from 'vscode-languageserver';
import { parseIncrementally, type IncrementalState, type IncrementalStats } from './incremental-parse.js';
import type { Script } from './generated/ast.js';

/** Scripts parsed for the editor (through `parseAsync`): their documents are checked incrementally too. */
const edited = new WeakSet<object>();

export function isEditedScript(script: Script): boolean {
    return edited.has(script);
}

export class WhammDocumentFactory extends DefaultLangiumDocumentFactory {
    private readonly states = new Map<string, IncrementalState>();
    /** What the last incremental parse reused and parsed (for tests and the benchmark's log). */
    readonly lastStats: IncrementalStats = { reused: 0, parsed: 0 };

    constructor(services: LangiumSharedCoreServices) {
        super(services);
    }

    protected override async parseAsync<T extends import('langium').AstNode>(uri: URI, text: string, cancellationToken: CancellationToken): Promise<ParseResult<T>> {
        const key = uri.toString();
        let state = this.states.get(key);
        if (!state) { state = { units: [] }; this.states.set(key, state); }
        this.lastStats.reused = 0;
        this.lastStats.parsed = 0;
        const parser = this.serviceRegistry.getServices(uri).parser.LangiumParser;
        let result: ParseResult<Script> | undefined;
        try {
            result = parseIncrementally(parser, text, state, this.lastStats);
        } catch (e) {
            // A bug in the incremental parse must not cost the user the document: parse it whole.
            console.error('whamm: incremental parse failed, parsing the whole script:', e);
            state.units = [];
        }
        const parsed = result ?? await super.parseAsync(uri, text, cancellationToken);
        edited.add(parsed.value);
        return parsed as unknown as ParseResult<T>;
    }

    /** Drops what is kept of a document that was closed or deleted. */
    forget(uri: URI): void {
        this.states.delete(uri.toString());
    }
}
