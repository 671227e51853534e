// Provider and event bound variables of a site: static facts fold to constants, operands and results
// read the scratch locals they were saved in.
import { OP, RefKind } from './emit.js';
import { opByName } from '../wasm/opcodes.js';
import { opcodeCategory } from '../catalog/index.js';
import { type Const, type WType, whammTypeOfVal } from './types.js';
import { type PV } from './compile-types.js';
import { normalize } from './lower.js';
import { CompilerCore } from './compile-core.js';

export abstract class BoundVarCompiler extends CompilerCore {

    protected tableLookup(table: number[], idx: PV): PV {
        if (idx.isConst) {
            const i = Number(idx.v);
            return { t: 'u32', isConst: true, v: BigInt(table[i] ?? 0), pure: true };
        }
        const idxLocal = this.w.newLocal('i32');
        const acc = this.w.newLocal('i32');
        return {
            t: 'u32', isConst: false, pure: idx.pure,
            emit: w => {
                this.push(idx);
                w.op(OP.local_set).ref(RefKind.Local, idxLocal);
                w.op(OP.i32_const).s32(0).op(OP.local_set).ref(RefKind.Local, acc);
                // The table is static and small (a br_table's labels): a chain of selects.
                table.forEach((v, i) => {
                    w.op(OP.i32_const).s32(v).op(OP.local_get).ref(RefKind.Local, acc);
                    w.op(OP.local_get).ref(RefKind.Local, idxLocal).op(OP.i32_const).s32(i).op(OP.i32_eq);
                    w.op(OP.select).op(OP.local_set).ref(RefKind.Local, acc);
                });
                w.op(OP.local_get).ref(RefKind.Local, acc);
            },
        };
    }

    /** Provider and event bound variables. */
    boundVar(name: string): PV | undefined {
        const env = this.env;
        if (!env) return undefined;
        const s = env.site;
        const k = (t: WType, v: Const): PV => ({ t, isConst: true, v, pure: true });
        switch (name) {
            case 'probe_id': return k('i32', BigInt(env.probeId));
        }
        if (!s) return undefined;
        switch (name) {
            case 'fid': return k('u32', BigInt(s.fid));
            case 'fname': return k('str', s.fname);
            // func:entry is before the first instruction: `pc` reads 0 there (SPEC), while the site (the
            // report's location, the site table) is the first instruction's, as the corpus shows.
            case 'pc': return k('u32', BigInt(s.opname === 'entry' ? 0 : s.pc));
            case 'opidx': return k('u32', BigInt(s.opidx));
            case 'at_func_end': return k('bool', s.atFuncEnd);
            case 'opname': return k('str', s.opname);
            case 'bytecode': return k('u16', BigInt(s.bytecode));
            case 'category_id': case 'category_name': {
                const op = opByName(s.opname);
                if (!op) return undefined;
                const c = opcodeCategory(op);
                return name === 'category_id' ? k('u32', BigInt(c.id)) : k('str', c.name);
            }
            case 'instr_count': return s.instrCount === undefined ? undefined : k('u32', BigInt(s.instrCount));
        }
        if (s.memarg) {
            const m = s.memarg;
            switch (name) {
                case 'offset': return k('u64', m.offset);
                case 'align': return k('u32', BigInt(m.align));
                case 'data_size': return k('u32', BigInt(m.bytes));
                case 'is_write': return k('bool', m.isWrite);
                case 'memory': return k('u32', BigInt(m.memory));
                case 'addr': return this.savedValue(m.isWrite ? 'arg1' : 'arg0', 'u32');
                case 'effective_addr': {
                    const addr = this.savedValue(m.isWrite ? 'arg1' : 'arg0', 'u32');
                    if (!addr) return undefined;
                    return this.binary('+', addr, k('u32', BigInt.asUintN(32, m.offset)));
                }
            }
        }
        if (name === 'failed' && s.opname === 'memory.grow') {
            // Known once the grow has run (`after`): it returned -1 (the instrumenter saved res0 for it).
            const r = this.savedValue('res0', whammTypeOfVal(s.results[0] ?? 'i32'));
            return r && { ...this.binary('==', r, k(r.t, -1n)), t: 'bool' };
        }
        if (s.brTable) {
            const bt = s.brTable;
            switch (name) {
                case 'num_targets': return k('u32', BigInt(bt.targets.length));
                case 'default_target': return k('u32', BigInt(bt.default));
                case 'targets': return { t: 'map', isConst: false, pure: true, table: bt.targets };
                case 'target': {
                    // The label this execution takes: targets[arg0], or the default for an index past them.
                    const i = this.savedValue('arg0', 'u32');
                    if (!i) return undefined;
                    const n = bt.targets.length;
                    const clamped: PV = { t: 'u32', isConst: false, pure: true, emit: w => { i.emit!(w); w.op(OP.i32_const).s32(n); i.emit!(w); w.op(OP.i32_const).s32(n).op(OP.i32_lt_u).op(OP.select); } };
                    return this.tableLookup([...bt.targets, bt.default], clamped);
                }
            }
        }
        if (s.opname === 'ref.func' && name === 'resolved_fid') return k('i32', BigInt(Number(s.imms[0])));
        if (s.opname.endsWith('call_ref') && name === 'resolved_fid') return k('i32', BigInt(s.refFunc ?? -1));
        if (s.opname.endsWith('call_indirect') || s.opname === 'table.get') {
            // The slot is the topmost operand; call_indirect names its table second, table.get first.
            const table = Number((s.opname === 'table.get' ? s.imms[0] : s.imms[1]) ?? 0);
            switch (name) {
                case 'table_entry_idx': return this.savedValue('arg0', 'i32');
                case 'resolved_fid': {
                    const slot = this.savedValue('arg0', 'i32');
                    if (!slot || !this.host.tableResolver) return undefined;
                    const resolver = this.host.tableResolver(table);
                    return { t: 'i32', isConst: false, pure: true, emit: w => { slot.emit!(w); w.op(OP.call).u32(resolver); } };
                }
                case 'target_funcref': {
                    const slot = this.savedValue('arg0', 'i32');
                    if (!slot) return undefined;
                    return { t: 'funcref', isConst: false, pure: true, emit: w => { slot.emit!(w); w.op(OP.table_get).u32(table); } };
                }
            }
        }
        if (s.callee) {
            switch (name) {
                case 'target_fn_name': return k('str', s.callee.name);
                case 'target_imp_module': return k('str', s.callee.module);
                case 'target_fn_type': return k('str', s.callee.type);
            }
        }
        let m = /^imm(\d+)$/.exec(name);
        if (m) {
            const v = s.imms[Number(m[1])];
            if (v === undefined) return undefined;
            if (typeof v === 'bigint') return k(s.opname === 'i64.const' ? 'i64' : 'u64', v);
            if (s.opname === 'f32.const' || s.opname === 'f64.const') return k(s.opname.slice(0, 3) as WType, v);
            return k(s.opname === 'i32.const' ? 'i32' : 'u32', BigInt(v));
        }
        m = /^(arg|res)(\d+)$/.exec(name);
        if (m) {
            const i = Number(m[2]);
            const vals = m[1] === 'arg' ? s.args : s.results;
            const decl = m[1] === 'arg' ? s.argWhamm?.[i] : s.resWhamm?.[i];
            if (i >= vals.length) return undefined;
            const bound = env.bounds.get(name) as WType | undefined;
            return this.savedValue(name, bound ?? decl ?? whammTypeOfVal(vals[i]));
        }
        m = /^local(\d+)$/.exec(name);
        if (m) {
            const i = Number(m[1]);
            if (i >= s.locals.length) return undefined;
            const bound = env.bounds.get(name) as WType | undefined;
            const vt = s.locals[i];
            const t = bound ?? whammTypeOfVal(vt);
            return { t, isConst: false, pure: true, emit: w => { w.op(OP.local_get).u32(i); normalize(w, t); } };
        }
        return undefined;
    }
}
