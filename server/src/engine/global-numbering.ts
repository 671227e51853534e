// Where script globals sit in the instrumented module's global index space. The report flush prints a
// script-global report variable's global indices in its id column (`3, global_id, count, ...`, a str as
// `(8; 9), (global_id; global_id), s, ...`), so the engine places script globals where the reference
// Whamm v1.0 places them, reserving placeholder globals for the reference's internal globals that this
// engine does not need. The reference (bytecode rewriting) adds, after the app's globals:
//   1. its memory allocation tracker (always);
//   2. the "run instr_init" flag, when the script has probe-state initialisation: a `report`/`unshared`
//      declaration with an initialiser anywhere (script scope or any probe body), or a map that lives in
//      the global scope (a script-scope map, or a `report`/`unshared` map declared at the top of a body);
//   3. the script's globals in byte order of their names (not declaration order), each taking one global
//      per wasm value of its type: a str two (address, length), a tuple one per flattened value (a str
//      element two), every scalar one. A map takes none (the reference keeps it in its map library).
// Per-site (`report` in a probe) variables live in the reference's memory, not in globals.
import type { IrDecl, Type } from '../frontend/index.js';
import type { ScriptModel } from './script.js';

export interface GlobalNumbering {
    /** Globals reserved for the reference's internal globals, before the script globals. */
    internal: number;
    /** Per non-map script global: its first global (relative to the app's global count) and how many it takes. */
    slots: Map<IrDecl, { first: number; count: number }>;
    /** Globals reserved in all (internal + script globals); maps are placed after these. */
    size: number;
}

/** Wasm values the reference stores a variable of this type in (a map: none, it is a library handle). */
export function wasmValueCount(t: Type): number {
    switch (t.kind) {
        case 'map': return 0;
        case 'tuple': return t.elems.reduce((n, e) => n + wasmValueCount(e), 0);
        case 'str': return 2;
    }
    return 1;
}

export function numberScriptGlobals(model: ScriptModel): GlobalNumbering {
    const stored = model.globals.filter(d => wasmValueCount(d.var.type) > 0);
    const slots = new Map<IrDecl, { first: number; count: number }>();
    // A script without globals that occupy a global needs no reserved ones (nothing prints an index).
    if (stored.length === 0) return { internal: 0, slots, size: 0 };
    const internal = 1 + (hasProbeStateInit(model) ? 1 : 0);
    let next = internal;
    const name = (d: IrDecl) => d.var.name;
    for (const d of [...stored].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))) {
        const count = wasmValueCount(d.var.type);
        slots.set(d, { first: next, count });
        next += count;
    }
    return { internal, slots, size: next };
}

/** The reference's condition for its instr_init flag global (see the header). */
export function hasProbeStateInit(model: ScriptModel): boolean {
    const stateful = (d: IrDecl) => d.var.storage === 'report' || d.var.storage === 'unshared';
    if (model.globals.some(d => (stateful(d) && d.init !== undefined) || d.var.type.kind === 'map')) return true;
    for (const p of model.probes) {
        // siteVars: every report/unshared declaration of the body, at any depth.
        if (p.siteVars.some(d => d.init !== undefined)) return true;
        // Maps count only as top-level statements of the body.
        if (p.body.some(s => s.kind === 'decl' && stateful(s) && s.var.type.kind === 'map')) return true;
    }
    return false;
}
