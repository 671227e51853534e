import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices,
} from 'langium/lsp';
import { WhammGeneratedModule, WhammGeneratedSharedModule } from './generated/module.js';
import { WhammTokenBuilder } from './whamm-token-builder.js';

/** Services added on top of Langium's defaults (validators, completion, hover... register here). */
export type WhammAddedServices = object;
export type WhammServices = LangiumServices & WhammAddedServices;

export const WhammModule: Module<WhammServices, PartialLangiumServices & WhammAddedServices> = {
    parser: {
        TokenBuilder: () => new WhammTokenBuilder(),
    },
};

export function createWhammServices(context: DefaultSharedModuleContext): {
    shared: LangiumSharedServices;
    Whamm: WhammServices;
} {
    const shared = inject(createDefaultSharedModule(context), WhammGeneratedSharedModule);
    const Whamm = inject(createDefaultModule({ shared }), WhammGeneratedModule, WhammModule);
    shared.ServiceRegistry.register(Whamm);
    return { shared, Whamm };
}
