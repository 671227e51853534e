// Adapts the project's event catalog (server/src/catalog) to the front-end's typed view, once.
import { allEvents, MODES, MODE_DOCS, PROVIDER_VARS, type BoundVar, type WhammEvent } from '../catalog/index.js';
import { parseTypeText, T } from './types.js';
import type { BoundVarDef, CatalogView, EventDef } from './catalog-types.js';

let view: CatalogView | undefined;

export function catalogView(): CatalogView {
    view ??= build();
    return view;
}

function toVar(v: BoundVar): BoundVarDef {
    return {
        name: v.name, type: parseTypeText(v.type), isStatic: v.static, indexed: v.family, from: v.from,
        modes: v.modes, doc: v.doc || undefined,
    };
}

function toEvent(e: WhammEvent): EventDef {
    return {
        rule: e.rule,
        parts: e.event === '' ? [e.provider, e.package] : [e.provider, e.package, e.event],
        aliases: e.aliases,
        modes: e.modes,
        vars: e.vars.map(toVar),
        fns: e.fns.map(f => ({
            name: f.name, params: f.params.map(p => ({ name: p.name, type: parseTypeText(p.type) })),
            result: f.ret === null ? T.unit : parseTypeText(f.ret), doc: f.doc || undefined,
        })),
        doc: e.doc || undefined,
        category: e.op?.category,
        op: e.op,
    };
}

function build(): CatalogView {
    return {
        events: allEvents().map(toEvent),
        providerVars: PROVIDER_VARS.map(toVar),
        modes: MODES,
        modeDoc: mode => MODE_DOCS[mode],
    };
}
