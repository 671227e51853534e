import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices, type PartialLangiumSharedServices,
} from 'langium/lsp';
import { WhammGeneratedModule, WhammGeneratedSharedModule } from './generated/module.js';
import { WhammTokenBuilder } from './whamm-token-builder.js';
import { createWhammParser } from './whamm-parser.js';
import { WhammDocumentValidator } from './whamm-validator.js';
import { WhammScopeComputation, WhammScopeProvider } from './whamm-scope.js';
import { WhammValueConverter } from './whamm-value-converter.js';
import { WhammCompletionProvider } from './lsp/completion.js';
import { WhammHoverProvider } from './lsp/hover.js';
import { WhammDocumentSymbolProvider } from './lsp/symbols.js';
import { WhammSemanticTokenProvider } from './lsp/semantic-tokens.js';
import { WhammFormatter } from './lsp/formatter.js';
import { WhammDocumentBuilder } from './whamm-document-builder.js';
import { WhammDocumentFactory } from './whamm-document-factory.js';
import { WhammLinker } from './whamm-linker.js';
import { WhammDocumentUpdateHandler, WhammServiceRegistry, WhammWorkspaceManager } from './whamm-workspace.js';
import { WhammReferenceDescriptionProvider, WhammReferences } from './whamm-references.js';

/** Services added on top of Langium's defaults (validators, completion, hover... register here). */
export type WhammAddedServices = object;
export type WhammServices = LangiumServices & WhammAddedServices;

export const WhammModule: Module<WhammServices, PartialLangiumServices & WhammAddedServices> = {
    parser: {
        LangiumParser: services => createWhammParser(services),
        TokenBuilder: () => new WhammTokenBuilder(),
        ValueConverter: () => new WhammValueConverter(),
    },
    references: {
        ScopeComputation: services => new WhammScopeComputation(services),
        ScopeProvider: () => new WhammScopeProvider(),
        References: services => new WhammReferences(services),
        Linker: services => new WhammLinker(services),
    },
    workspace: {
        ReferenceDescriptionProvider: services => new WhammReferenceDescriptionProvider(services),
    },
    validation: {
        DocumentValidator: services => new WhammDocumentValidator(services),
    },
    lsp: {
        CompletionProvider: () => new WhammCompletionProvider(),
        HoverProvider: () => new WhammHoverProvider(),
        DocumentSymbolProvider: () => new WhammDocumentSymbolProvider(),
        SemanticTokenProvider: services => new WhammSemanticTokenProvider(services),
        Formatter: () => new WhammFormatter(),
    },
};

/** Shared (cross-language) services: scripts are independent documents. */
export const WhammSharedModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    ServiceRegistry: services => new WhammServiceRegistry(services),
    workspace: {
        DocumentBuilder: services => new WhammDocumentBuilder(services),
        LangiumDocumentFactory: services => new WhammDocumentFactory(services),
        WorkspaceManager: services => new WhammWorkspaceManager(services),
    },
    lsp: {
        DocumentUpdateHandler: services => new WhammDocumentUpdateHandler(services),
    },
};

export function createWhammServices(context: DefaultSharedModuleContext): {
    shared: LangiumSharedServices;
    Whamm: WhammServices;
} {
    const shared = inject(createDefaultSharedModule(context), WhammGeneratedSharedModule, WhammSharedModule);
    const Whamm = inject(createDefaultModule({ shared }), WhammGeneratedModule, WhammModule);
    shared.ServiceRegistry.register(Whamm);
    return { shared, Whamm };
}
