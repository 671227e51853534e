import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createWhammServices, type WhammServices } from './whamm-module.js';
import type { Script } from './generated/ast.js';

let services: WhammServices | undefined;
let counter = 0;

/** One shared service container for non-LSP callers (CLI, engine, tests). */
export function whammServices(): WhammServices {
    services ??= createWhammServices(EmptyFileSystem).Whamm;
    return services;
}

export interface ParsedScript {
    document: LangiumDocument<Script>;
    script: Script;
    /** Lexer, parser, linker and validation diagnostics, as the language server would publish them. */
    diagnostics: Diagnostic[];
}

/** Parses and validates a script outside the language server; the CLI front-end starts here. */
export async function parseScript(text: string, fileName = `script${++counter}.mm`): Promise<ParsedScript> {
    const svc = whammServices();
    const uri = URI.file(fileName.startsWith('/') ? fileName : `/whamm-inline/${counter}/${fileName}`);
    const document = svc.shared.workspace.LangiumDocumentFactory.fromString<Script>(text, uri);
    svc.shared.workspace.LangiumDocuments.addDocument(document);
    try {
        await svc.shared.workspace.DocumentBuilder.build([document], { validation: true });
    } finally {
        svc.shared.workspace.LangiumDocuments.deleteDocument(uri);
    }
    return { document, script: document.parseResult.value, diagnostics: document.diagnostics ?? [] };
}
