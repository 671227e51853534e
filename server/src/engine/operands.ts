// Which bound names of a probe live on the operand stack, and what part of a site a probe's code depends on.
import type { ProbeDef } from './script.js';
import type { SiteInfo } from './site.js';
import type { WType } from './types.js';

export function declaredType(t: string | undefined): WType | undefined {
    if (!t || t === 'unknown') return undefined;
    return t as WType;
}

/** Bound variables computed from an operand: the operand they read (call_indirect's slot is arg0). */
export const SLOT_VARS = new Set(['table_entry_idx', 'resolved_fid', 'target_funcref']);
export function operandAlias(name: string, site: SiteInfo): string {
    // memory.grow's `failed` is read from its result (-1 when the memory did not grow).
    if (name === 'failed' && site.opname === 'memory.grow') return 'res0';
    // br_table's `target` is looked up from its index operand.
    if (name === 'target' && site.brTable) return 'arg0';
    return SLOT_VARS.has(name) && (site.opname.endsWith('call_indirect') || site.opname === 'table.get') ? 'arg0' : name;
}

export function needsStack(p: ProbeDef): boolean {
    // dup_at() reads every operand of the instruction.
    for (const n of p.uses) if (/^(arg|res)\d+$/.test(n) || n === 'addr' || n === 'effective_addr' || n === 'dup_at' || n === 'failed' || n === 'target' || SLOT_VARS.has(n)) return true;
    for (const n of p.bounds.keys()) if (/^(arg|res)\d+$/.test(n)) return true;
    return false;
}

/** The part of a site a probe's code depends on, for the code cache. */
export function siteKeyValue(name: string, s: SiteInfo): string | undefined {
    switch (name) {
        case 'fid': return String(s.fid);
        case 'fname': return s.fname;
        case 'pc': return String(s.opname === 'entry' ? 0 : s.pc);
        case 'opidx': return String(s.opidx);
        case 'at_func_end': return String(s.atFuncEnd);
        case 'opname': case 'bytecode': case 'category_id': case 'category_name': return s.opname;
        case 'instr_count': return String(s.instrCount);
        case 'failed': return s.results.join();
        case 'offset': case 'align': case 'data_size': case 'is_write': case 'memory': case 'addr': case 'effective_addr':
            return s.memarg ? `${s.memarg.offset}/${s.memarg.align}/${s.memarg.memory}/${s.memarg.bytes}/${s.args.join()}` : '-';
        case 'num_targets': case 'default_target': case 'targets': case 'target':
            return s.brTable ? `${s.brTable.targets.join()}/${s.brTable.default}` : '-';
        case 'target_fn_name': case 'target_imp_module': case 'target_fn_type':
            return s.callee ? `${s.callee.module}/${s.callee.name}/${s.callee.type}` : '-';
        // The table (an immediate), the saved operands, and for ref.func the function itself.
        case 'table_entry_idx': case 'resolved_fid': case 'target_funcref':
            return `${s.imms.join()}/${s.args.join()}>${s.results.join()}/${s.refFunc}`;
    }
    let m = /^imm(\d+)$/.exec(name);
    if (m) return String(s.imms[Number(m[1])]);
    m = /^(arg|res)(\d+)$/.exec(name);
    if (m) return `${s.args.join()}>${s.results.join()}`;
    m = /^local(\d+)$/.exec(name);
    if (m) return s.locals[Number(m[1])] ?? '-';
    return undefined;
}
