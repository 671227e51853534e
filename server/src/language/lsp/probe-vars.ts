// The bound variables a probe can use, for completion and hover: provider-wide ones plus those of its
// matched events in their modes (`res0` only in `after`), typed by the rule's type bounds where given.
import type { ProbeInfo } from '../../frontend/checker.js';
import { catalogView, type BoundVarDef } from '../../frontend/catalog-view.js';
import { prim, T, typeEquals, type Type } from '../../frontend/types.js';

export interface OfferedVar { name: string; type: Type; isStatic: boolean; doc?: string }

export function boundVarsForProbe(info: ProbeInfo): OfferedVar[] {
    const out = new Map<string, OfferedVar>();
    const offer = (name: string, def: BoundVarDef | undefined, type: Type) => {
        const bound = info.bounds.get(name);
        const t = bound ? prim(bound.type) ?? T.unknown : type;
        const prev = out.get(name);
        if (prev) {
            if (!bound && !typeEquals(prev.type, t)) prev.type = T.unknown;
            return;
        }
        out.set(name, { name, type: t, isStatic: !!def?.isStatic && !bound, doc: def?.doc });
    };
    const expand = (v: BoundVarDef) => {
        if (!v.indexed) { offer(v.name, v, v.type); return; }
        const bounded = [...info.bounds.keys()].filter(n => n.startsWith(v.name) && /^\d+$/.test(n.substring(v.name.length)));
        if (bounded.length > 0) for (const n of bounded) offer(n, v, v.type);
        else if (v.name !== 'local') offer(`${v.name}${v.from ?? 0}`, v, v.type);
    };
    for (const v of catalogView().providerVars) expand(v);
    for (const m of info.matches) {
        for (const v of m.event.vars) {
            if (v.modes && !v.modes.includes(m.mode)) continue;
            expand(v);
        }
    }
    return [...out.values()];
}
