// resolved_fid / resolve_funcref: which app function a table slot holds.
//
// Wasm cannot turn a funcref back into a function index at run time (funcref has no equality), so the
// slot -> function map is taken from the table's active element segments, which fix every slot an app
// that never writes its table will ever see. A generated function looks the slot up with br_table.
import { Reader, constOffset, type WasmModule } from '../wasm/index.js';
import { CodeWriter, OP } from './emit.js';

export interface TableContents {
    /** App function index per slot, -1 for an empty (null) slot. */
    fids: Int32Array;
    /** Why the map may not be what the table holds at run time (empty when it is exact). */
    caveats: string[];
}


/** The slots of `table` after the active element segments ran. */
export function initialTableContents(m: WasmModule, table: number, mutatedByCode: boolean): TableContents {
    const t = m.tables[table];
    const caveats: string[] = [];
    if (!t) return { fids: new Int32Array(0), caveats: [`the app has no table ${table}`] };
    if (table < m.numImportedTables) caveats.push(`table ${table} is imported: its contents come from outside`);
    if (m.exports.some(e => e.kind === 'table' && e.index === table)) caveats.push(`table ${table} is exported: the host may change it`);
    if (mutatedByCode) caveats.push('the app changes a table at run time (table.set/grow/init/copy/fill)');
    const b = m.bytes;
    // Slots past the last one an element segment fills are empty: the lookup only needs to cover those.
    let used = 0;
    for (const seg of m.elements) {
        if (seg.mode !== 'active' || seg.table !== table || !seg.offsetExpr) continue;
        const off = constOffset(b, seg.offsetExpr.start, seg.offsetExpr.end) ?? 0;
        used = Math.max(used, off + (seg.funcs?.length ?? seg.exprs?.length ?? 0));
    }
    const fids = new Int32Array(Math.min(t.limits.min, used)).fill(-1);
    for (const seg of m.elements) {
        if (seg.mode !== 'active' || seg.table !== table || !seg.offsetExpr) continue;
        const off = constOffset(b, seg.offsetExpr.start, seg.offsetExpr.end);
        if (off === null) { caveats.push('an element segment has a computed offset'); continue; }
        if (seg.funcs) seg.funcs.forEach((f, i) => { if (off + i < fids.length) fids[off + i] = f; });
        else if (seg.exprs) {
            seg.exprs.forEach((r, i) => {
                if (off + i >= fids.length) return;
                if (b[r.start] === OP.ref_func) fids[off + i] = new Reader(b, r.start + 1, r.end).u32('a function index');
                else if (b[r.start] !== OP.ref_null) caveats.push('an element is a computed expression');
            });
        }
    }
    return { fids, caveats };
}

/** Code (ending with `end`) of `(param i32 slot) (result i32 fid)`: the slot's function, -1 if none. */
export function resolverBody(fids: Int32Array): Uint8Array {
    const w = new CodeWriter();
    // One br_table per chunk keeps each table and block nest of a bounded size on big tables.
    const CHUNK = 4096;
    for (let lo = 0; lo < fids.length; lo += CHUNK) {
        const n = Math.min(CHUNK, fids.length - lo);
        w.op(OP.block).blockType();
        for (let i = 0; i < n; i++) w.op(OP.block).blockType();
        w.op(OP.local_get).u32(0);
        if (lo) w.op(OP.i32_const).s32(lo).op(OP.i32_sub); // i32.sub: below the chunk wraps to a huge index -> default
        w.op(OP.br_table).u32(n);
        for (let i = 0; i < n; i++) w.u32(i);
        w.u32(n);
        for (let i = 0; i < n; i++) w.op(OP.end).op(OP.i32_const).s32(fids[lo + i]).op(OP.return);
        w.op(OP.end);
    }
    w.op(OP.i32_const).s32(-1).op(OP.end);
    return w.finish().bytes;
}
