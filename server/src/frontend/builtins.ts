// The one registry of built-ins: functions, constants and string methods of SPEC.md (not bound to any
// event), and how each lowers. The checker types calls against these entries, completion and hover show
// their signatures and docs, and the engine compiles a call by its `lower` key (engine/builtin-emitters.ts
// maps every key to an emitter). Bound functions (`drop_args`, `dup_at`...) have their signatures and docs in
// the event catalog; their lowering keys are in BOUND_FN_LOWERING.
import { T, type Type } from './types.js';

/** How a built-in compiles: the engine has one emitter per key. */
export type BuiltinLowering =
    | 'str.read' | 'str.write' | 'str.cmp' | 'memid' | 'page_size' | 'mem_size' | 'memcpy'
    | 'active_data_start' | 'active_data_len' | 'app_memid'
    | 'str.len' | 'str.starts_with' | 'str.ends_with' | 'str.contains' | 'str.addr'
    | 'drop_args' | 'alt_call_by_id' | 'alt_call_by_name' | 'resolve_funcref' | 'dup_at';

export interface Param { name: string; type: Type }

export interface BuiltinFn {
    name: string;
    params: Param[];
    result: Type;
    doc: string;
    lower: BuiltinLowering;
    /** Arguments that name a library (`memid(alpha)`) instead of passing a value. */
    libArg?: number;
    /** First argument is a `(addr, len)` tuple of integers. */
    addrLenArg?: number;
}

const INT = T.u32; // integer parameters accept any integer type (see assignable())

export const BUILTIN_FNS: ReadonlyMap<string, BuiltinFn> = new Map([
    { name: 'strcmp', lower: 'str.cmp', params: [{ name: 'addr_len', type: T.unknown }, { name: 's', type: T.str }], result: T.bool,
      addrLenArg: 0, doc: 'Compares the `(addr, len)` string in the app\'s memory with a string; true when equal.' },
    { name: 'read_str', lower: 'str.read', params: [{ name: 'mem', type: INT }, { name: 'addr', type: INT }, { name: 'len', type: INT }],
      result: T.str, doc: 'Reads `len` bytes at `addr` of memory `mem` as a string.' },
    { name: 'write_str', lower: 'str.write', params: [{ name: 'mem', type: INT }, { name: 'addr', type: INT }, { name: 's', type: T.str }],
      result: T.unit, doc: 'Writes the bytes of `s` to memory `mem` at `addr`.' },
    { name: 'memid', lower: 'memid', params: [{ name: 'lib', type: T.unknown }], result: T.u32, libArg: 0,
      doc: 'The memory id of a user library (`memid(alpha)`), for `read_str`, `write_str` and `memcpy`.' },
    { name: 'page_size', lower: 'page_size', params: [{ name: 'mem', type: INT }], result: T.u32, doc: 'Page size in bytes of memory `mem`.' },
    { name: 'mem_size', lower: 'mem_size', params: [{ name: 'mem', type: INT }], result: T.u32, doc: 'Current size in pages of memory `mem`.' },
    { name: 'memcpy', lower: 'memcpy', params: [{ name: 'src_mem', type: INT }, { name: 'src_addr', type: INT }, { name: 'dst_mem', type: INT },
        { name: 'dst_addr', type: INT }, { name: 'len', type: INT }], result: T.unit,
      doc: 'Copies `len` bytes from `src_mem` at `src_addr` to `dst_mem` at `dst_addr`.' },
    { name: 'active_data_start', lower: 'active_data_start', params: [{ name: 'mem', type: INT }], result: T.u32,
      doc: 'Start address of the active data segments of memory `mem`.' },
    { name: 'active_data_len', lower: 'active_data_len', params: [{ name: 'mem', type: INT }], result: T.u32,
      doc: 'Total length of the active data segments of memory `mem`.' },
].map(f => [f.name, f as BuiltinFn]));

export interface BuiltinConst { name: string; type: Type; doc: string; lower: BuiltinLowering }

export const BUILTIN_CONSTS: ReadonlyMap<string, BuiltinConst> = new Map([
    { name: 'APP_MEMID', lower: 'app_memid', type: T.u32, doc: 'The memory id of the instrumented app\'s memory.' },
].map(c => [c.name, c as BuiltinConst]));

export const STRING_METHODS: ReadonlyMap<string, BuiltinFn> = new Map([
    { name: 'len', lower: 'str.len', params: [], result: T.u32, doc: 'Length of the string in bytes.' },
    { name: 'starts_with', lower: 'str.starts_with', params: [{ name: 'prefix', type: T.str }], result: T.bool, doc: 'True when the string starts with `prefix`.' },
    { name: 'ends_with', lower: 'str.ends_with', params: [{ name: 'suffix', type: T.str }], result: T.bool, doc: 'True when the string ends with `suffix`.' },
    { name: 'contains', lower: 'str.contains', params: [{ name: 'part', type: T.str }], result: T.bool, doc: 'True when the string contains `part`.' },
    { name: 'addr', lower: 'str.addr', params: [], result: T.u32, doc: 'Address of the string\'s bytes in the instrumentation memory.' },
].map(f => [f.name, f as BuiltinFn]));

/** Lowering keys of the event catalog's bound functions (their signatures and docs are the catalog's). */
export const BOUND_FN_LOWERING: ReadonlyMap<string, BuiltinLowering> = new Map<string, BuiltinLowering>([
    ['drop_args', 'drop_args'], ['alt_call_by_id', 'alt_call_by_id'], ['alt_call_by_name', 'alt_call_by_name'],
    ['resolve_funcref', 'resolve_funcref'], ['dup_at', 'dup_at'],
]);

export function signatureText(name: string, params: readonly Param[], result: Type, show: (t: Type) => string): string {
    const ps = params.map(p => `${p.name}: ${p.type.kind === 'unknown' ? 'any' : show(p.type)}`).join(', ');
    return result.kind === 'unit' ? `${name}(${ps})` : `${name}(${ps}) -> ${show(result)}`;
}
