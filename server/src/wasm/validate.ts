// Index checks the engine relies on, independent of the JS engine's feature set: every function, type,
// table, memory, global, tag, data and element index an instruction, export or the start section names
// must exist, every local index must be a local of its function and every branch label an enclosing
// block. A module that names what it does not have would otherwise be "repaired" by instrumentation
// (a dangling global.get would read a global we add). Returns the first problem, or undefined.
import { decodeBody } from './body.js';
import type { WasmModule } from './decode.js';
import type { BrTable, Catch, MemArg } from './instructions.js';

export interface ValidationProblem {
    /** Module offset of the offending instruction or entry. */
    offset: number;
    message: string;
}

export function checkIndices(m: WasmModule): ValidationProblem | undefined {
    const counts = {
        func: m.funcTypes.length, type: m.types.length, table: m.tables.length, mem: m.memories.length,
        global: m.globals.length, tag: m.tags.length, data: m.dataCount ?? m.data.length, elem: m.elements.length,
    };
    const kindCount: Record<string, number> = { func: counts.func, table: counts.table, memory: counts.mem, global: counts.global, tag: counts.tag };
    for (const e of m.exports) {
        if (e.index >= (kindCount[e.kind] ?? 0)) return { offset: e.start ?? 0, message: `export '${e.name}' names ${e.kind} ${e.index}, which does not exist` };
    }
    if (m.start !== null && m.start >= counts.func) return { offset: 0, message: `the start function ${m.start} does not exist` };
    for (let t = 0; t < m.funcTypes.length; t++) {
        if (m.funcTypes[t] >= counts.type) return { offset: 0, message: `function ${t} has type ${m.funcTypes[t]}, which does not exist` };
    }
    for (const body of m.bodies) {
        const d = decodeBody(m, body.func);
        let depth = 1;
        for (const ins of d.instrs) {
            const bad = (what: string, index: number) => ({ offset: ins.offset, message: `${ins.op.name} in function ${body.func} names ${what} ${index}, which does not exist` });
            const kinds = ins.op.imms;
            for (let k = 0; k < kinds.length; k++) {
                const imm = ins.imms[k];
                switch (kinds[k]) {
                    case 'func': case 'type': case 'table': case 'global': case 'tag': case 'data': case 'elem': case 'mem':
                        if (typeof imm === 'number' && imm >= counts[kinds[k] as keyof typeof counts]) return bad(kinds[k] === 'mem' ? 'memory' : kinds[k], imm);
                        break;
                    case 'local':
                        if (typeof imm === 'number' && imm >= d.locals.length) return bad('local', imm);
                        break;
                    case 'memarg': {
                        const mem = (imm as MemArg).memory;
                        if (mem >= counts.mem) return bad('memory', mem);
                        break;
                    }
                    case 'label':
                        if (typeof imm === 'number' && imm >= depth) return bad('label', imm);
                        break;
                    case 'brtable': {
                        const t = imm as BrTable;
                        for (const l of [...t.labels, t.default]) if (l >= depth) return bad('label', l);
                        break;
                    }
                    case 'catches':
                        for (const c of imm as readonly Catch[]) {
                            if (c.label >= depth) return bad('label', c.label);
                            if ((c.kind === 0 || c.kind === 1) && c.tag >= counts.tag) return bad('tag', c.tag);
                        }
                        break;
                }
            }
            if (ins.op.blockLike) depth++;
            else if (ins.op.name === 'end' || ins.op.name === 'delegate') depth--;
        }
    }
    return undefined;
}
