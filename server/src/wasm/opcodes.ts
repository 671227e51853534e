// The opcode table: the single source of truth for decoding, encoding, operand typing and the Whamm
// event catalog (server/src/catalog). Each row is one instruction; the rows are plain text so the table
// reads like a reference card and stays easy to audit against the spec.
//
// Row format (whitespace separated):   CODE NAME IMMS SIG CATEGORY [MEM] [FLAGS...]
//   CODE      opcode byte (core) or sub-opcode (prefixed sections, encoded as u32 LEB after the prefix)
//   NAME      text-format name; where the text format spells two encodings the same way (`select` with
//             types, `ref.test` with `null`), the Whamm event name is used (`typed_select`, `ref.test_null`)
//   IMMS      comma list of immediate kinds (see ImmKind) or `-`
//   SIG       operand types `>` result types, bottom of the stack first (so the last operand is `arg0`).
//             A leading `~` marks an instruction typed by its own rule in typing.ts (control flow); its
//             listed tokens are then the operands and results Whamm exposes as argN/resN.
//             Type tokens: i32 i64 f32 f64 v128 | u32 u64 (an i32/i64 the instruction reads as unsigned,
//             which is how Whamm types the bound variable) | a (memory address: i32, or i64 on memory64;
//             Whamm sees u32) | A (memory size / length: i32 or i64 per memory; Whamm sees i32) | T (table
//             index: i32 or i64 per table; Whamm sees i32) | ref (a reference, exact type resolved by the
//             type stack) | ? (one value whose type comes from the stack) | $ (one value whose type the
//             immediate declares: local/global) | * (any number of values dictated by an immediate:
//             callee type, block type, tag, struct fields).
//   CATEGORY  see Category
//   MEM       memory access: r<N> read N bytes, w<N> write, m<N> read-modify-write, s<N> synchronisation
//             (atomic wait/notify: touches N bytes but moves no data to the stack)
//   FLAGS     block   opens a block (block, loop, if, try, try_table)
//             ends    ends a basic block: control may go elsewhere than the next instruction (branches,
//                     return, throw, unreachable) or the next one is reached another way (block structure)
//             starts  starts a basic block: reached from elsewhere than the instruction before (a branch
//                     target or the entry of a handler / else arm)
//             wtable  changes a table's contents or size
//             trap    may trap by itself (out of bounds, division by zero, null, failed cast or signature
//                     check...); every memory access (MEM) may trap, so those rows need no flag

export type ImmKind =
    | 'label' | 'func' | 'type' | 'table' | 'local' | 'global' | 'tag' | 'data' | 'elem' | 'mem' | 'field'
    | 'count'      // a plain u32 (array.new_fixed length)
    | 'blocktype'  // 0x40 | valtype | s33 type index
    | 'memarg'     // align flags (bit 6: explicit memory index follows), [memidx], offset (u64 LEB on memory64)
    | 'brtable'    // vec(label) default-label
    | 'i32' | 'i64' | 'f32' | 'f64' | 'v128'
    | 'lane'       // one byte lane index (SIMD)
    | 'shuffle'    // 16 lane bytes (i8x16.shuffle)
    | 'valtypes'   // vec(valtype) (typed select)
    | 'heaptype'   // s33 heap type
    | 'catches'    // vec(catch clause) (try_table)
    | 'castflags'  // one byte: nullability of br_on_cast's source/target
    | 'zero';      // one reserved 0x00 byte (atomic.fence)

export type Category =
    | 'control' | 'branch' | 'call' | 'exception' | 'parametric' | 'variable' | 'table' | 'load' | 'store'
    | 'memory' | 'const' | 'compare' | 'arith' | 'convert' | 'reference' | 'gc' | 'atomic' | 'simd';

/** Stable numeric ids for `category_id` (order of declaration). */
export const CATEGORIES: readonly Category[] = [
    'control', 'branch', 'call', 'exception', 'parametric', 'variable', 'table', 'load', 'store', 'memory',
    'const', 'compare', 'arith', 'convert', 'reference', 'gc', 'atomic', 'simd',
];

export type MemAccessKind = 'read' | 'write' | 'rmw' | 'sync';
export interface MemAccess {
    kind: MemAccessKind;
    /** Bytes accessed in memory. */
    bytes: number;
    /** True when the instruction writes memory (store, read-modify-write). */
    isWrite: boolean;
}

/** A type token of the SIG column (see the row format above). */
export type SigType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'u32' | 'u64' | 'a' | 'A' | 'T' | 'ref' | '?' | '$' | '*';

export interface OpInfo {
    /** Whamm/text name, unique in the table (`i32.load8_u`, `typed_select`, `ref.test_null`). */
    readonly name: string;
    /** Prefix byte (0xFB, 0xFC, 0xFD, 0xFE) or -1 for single-byte opcodes. */
    readonly prefix: number;
    /** Opcode byte (prefix -1) or sub-opcode after the prefix. */
    readonly code: number;
    /** Whamm `bytecode` value: the opcode, or (prefix << 8 | code) truncated to 16 bits for prefixed ones. */
    readonly bytecode: number;
    readonly imms: readonly ImmKind[];
    /** Operand tokens, bottom of the stack first. */
    readonly params: readonly SigType[];
    readonly results: readonly SigType[];
    /** True when every operand and result has a fixed numeric type (no `~`, a/A/T/ref/?/$/*). */
    readonly fixed: boolean;
    /** Typed by an instruction-specific rule (SIG starts with `~`): control flow and the like. */
    readonly ruleTyped: boolean;
    readonly category: Category;
    readonly categoryId: number;
    readonly mem: MemAccess | null;
    /** Opens a block that a matching `end` (or `delegate`) closes. */
    readonly blockLike: boolean;
    /** Ends a basic block (FLAGS `ends`): the next instruction may not run right after this one. */
    readonly endsBlock: boolean;
    /** Starts a basic block (FLAGS `starts`): it is reached other than from the instruction before it. */
    readonly startsBlock: boolean;
    /** May trap by itself (FLAGS `trap`, and every memory access). */
    readonly mayTrap: boolean;
    /** Changes a table's contents or size (FLAGS `wtable`). */
    readonly writesTable: boolean;
    /** The feature that introduced it: mvp, sign-ext, sat-conv, bulk-memory, reference-types, simd,
     *  relaxed-simd, tail-call, exceptions, legacy-exceptions, function-references, gc, threads. */
    readonly proposal: string;
    /** Index of this entry in OPCODES. */
    readonly index: number;
}

// Proposals are assigned per block of rows with a `@proposal` line.
const CORE = `
@mvp
0x00 unreachable - ~> control ends trap
0x01 nop - > control
0x02 block blocktype *>* control block ends
0x03 loop blocktype *>* control block ends starts
0x04 if blocktype ~u32>* control block ends
0x05 else - ~> control ends starts
0x0b end - ~> control ends starts
0x0c br label ~> branch ends
0x0d br_if label ~u32> branch ends
0x0e br_table brtable ~u32> branch ends
0x0f return - ~> control ends
0x10 call func *>* call
0x11 call_indirect type,table *,i32>* call trap
0x1a drop - ?> parametric
0x1b select - ?,?,i32>? parametric
0x20 local.get local >$ variable
0x21 local.set local $> variable
0x22 local.tee local $>$ variable
0x23 global.get global >$ variable
0x24 global.set global $> variable
0x28 i32.load memarg a>i32 load r4
0x29 i64.load memarg a>i64 load r8
0x2a f32.load memarg a>f32 load r4
0x2b f64.load memarg a>f64 load r8
0x2c i32.load8_s memarg a>i32 load r1
0x2d i32.load8_u memarg a>i32 load r1
0x2e i32.load16_s memarg a>i32 load r2
0x2f i32.load16_u memarg a>i32 load r2
0x30 i64.load8_s memarg a>i64 load r1
0x31 i64.load8_u memarg a>i64 load r1
0x32 i64.load16_s memarg a>i64 load r2
0x33 i64.load16_u memarg a>i64 load r2
0x34 i64.load32_s memarg a>i64 load r4
0x35 i64.load32_u memarg a>i64 load r4
0x36 i32.store memarg a,i32> store w4
0x37 i64.store memarg a,i64> store w8
0x38 f32.store memarg a,f32> store w4
0x39 f64.store memarg a,f64> store w8
0x3a i32.store8 memarg a,i32> store w1
0x3b i32.store16 memarg a,i32> store w2
0x3c i64.store8 memarg a,i64> store w1
0x3d i64.store16 memarg a,i64> store w2
0x3e i64.store32 memarg a,i64> store w4
0x3f memory.size mem >A memory
0x40 memory.grow mem a>A memory
0x41 i32.const i32 >i32 const
0x42 i64.const i64 >i64 const
0x43 f32.const f32 >f32 const
0x44 f64.const f64 >f64 const
0x45 i32.eqz - i32>i32 compare
0x46 i32.eq - i32,i32>i32 compare
0x47 i32.ne - i32,i32>i32 compare
0x48 i32.lt_s - i32,i32>i32 compare
0x49 i32.lt_u - u32,u32>i32 compare
0x4a i32.gt_s - i32,i32>i32 compare
0x4b i32.gt_u - u32,u32>i32 compare
0x4c i32.le_s - i32,i32>i32 compare
0x4d i32.le_u - u32,u32>i32 compare
0x4e i32.ge_s - i32,i32>i32 compare
0x4f i32.ge_u - u32,u32>i32 compare
0x50 i64.eqz - i64>i32 compare
0x51 i64.eq - i64,i64>i32 compare
0x52 i64.ne - i64,i64>i32 compare
0x53 i64.lt_s - i64,i64>i32 compare
0x54 i64.lt_u - u64,u64>i32 compare
0x55 i64.gt_s - i64,i64>i32 compare
0x56 i64.gt_u - u64,u64>i32 compare
0x57 i64.le_s - i64,i64>i32 compare
0x58 i64.le_u - u64,u64>i32 compare
0x59 i64.ge_s - i64,i64>i32 compare
0x5a i64.ge_u - u64,u64>i32 compare
0x5b f32.eq - f32,f32>i32 compare
0x5c f32.ne - f32,f32>i32 compare
0x5d f32.lt - f32,f32>i32 compare
0x5e f32.gt - f32,f32>i32 compare
0x5f f32.le - f32,f32>i32 compare
0x60 f32.ge - f32,f32>i32 compare
0x61 f64.eq - f64,f64>i32 compare
0x62 f64.ne - f64,f64>i32 compare
0x63 f64.lt - f64,f64>i32 compare
0x64 f64.gt - f64,f64>i32 compare
0x65 f64.le - f64,f64>i32 compare
0x66 f64.ge - f64,f64>i32 compare
0x67 i32.clz - i32>i32 arith
0x68 i32.ctz - i32>i32 arith
0x69 i32.popcnt - i32>i32 arith
0x6a i32.add - i32,i32>i32 arith
0x6b i32.sub - i32,i32>i32 arith
0x6c i32.mul - i32,i32>i32 arith
0x6d i32.div_s - i32,i32>i32 arith trap
0x6e i32.div_u - u32,u32>i32 arith trap
0x6f i32.rem_s - i32,i32>i32 arith trap
0x70 i32.rem_u - u32,u32>i32 arith trap
0x71 i32.and - i32,i32>i32 arith
0x72 i32.or - i32,i32>i32 arith
0x73 i32.xor - i32,i32>i32 arith
0x74 i32.shl - i32,i32>i32 arith
0x75 i32.shr_s - i32,i32>i32 arith
0x76 i32.shr_u - i32,i32>i32 arith
0x77 i32.rotl - i32,i32>i32 arith
0x78 i32.rotr - i32,i32>i32 arith
0x79 i64.clz - i64>i64 arith
0x7a i64.ctz - i64>i64 arith
0x7b i64.popcnt - i64>i64 arith
0x7c i64.add - i64,i64>i64 arith
0x7d i64.sub - i64,i64>i64 arith
0x7e i64.mul - i64,i64>i64 arith
0x7f i64.div_s - i64,i64>i64 arith trap
0x80 i64.div_u - i64,i64>i64 arith trap
0x81 i64.rem_s - i64,i64>i64 arith trap
0x82 i64.rem_u - i64,i64>i64 arith trap
0x83 i64.and - i64,i64>i64 arith
0x84 i64.or - i64,i64>i64 arith
0x85 i64.xor - i64,i64>i64 arith
0x86 i64.shl - i64,i64>i64 arith
0x87 i64.shr_s - i64,i64>i64 arith
0x88 i64.shr_u - i64,i64>i64 arith
0x89 i64.rotl - i64,i64>i64 arith
0x8a i64.rotr - i64,i64>i64 arith
0x8b f32.abs - f32>f32 arith
0x8c f32.neg - f32>f32 arith
0x8d f32.ceil - f32>f32 arith
0x8e f32.floor - f32>f32 arith
0x8f f32.trunc - f32>f32 arith
0x90 f32.nearest - f32>f32 arith
0x91 f32.sqrt - f32>f32 arith
0x92 f32.add - f32,f32>f32 arith
0x93 f32.sub - f32,f32>f32 arith
0x94 f32.mul - f32,f32>f32 arith
0x95 f32.div - f32,f32>f32 arith
0x96 f32.min - f32,f32>f32 arith
0x97 f32.max - f32,f32>f32 arith
0x98 f32.copysign - f32,f32>f32 arith
0x99 f64.abs - f64>f64 arith
0x9a f64.neg - f64>f64 arith
0x9b f64.ceil - f64>f64 arith
0x9c f64.floor - f64>f64 arith
0x9d f64.trunc - f64>f64 arith
0x9e f64.nearest - f64>f64 arith
0x9f f64.sqrt - f64>f64 arith
0xa0 f64.add - f64,f64>f64 arith
0xa1 f64.sub - f64,f64>f64 arith
0xa2 f64.mul - f64,f64>f64 arith
0xa3 f64.div - f64,f64>f64 arith
0xa4 f64.min - f64,f64>f64 arith
0xa5 f64.max - f64,f64>f64 arith
0xa6 f64.copysign - f64,f64>f64 arith
0xa7 i32.wrap_i64 - i64>i32 convert
0xa8 i32.trunc_f32_s - f32>i32 convert trap
0xa9 i32.trunc_f32_u - f32>i32 convert trap
0xaa i32.trunc_f64_s - f64>i32 convert trap
0xab i32.trunc_f64_u - f64>i32 convert trap
0xac i64.extend_i32_s - i32>i64 convert
0xad i64.extend_i32_u - u32>i64 convert
0xae i64.trunc_f32_s - f32>i64 convert trap
0xaf i64.trunc_f32_u - f32>i64 convert trap
0xb0 i64.trunc_f64_s - f64>i64 convert trap
0xb1 i64.trunc_f64_u - f64>i64 convert trap
0xb2 f32.convert_i32_s - i32>f32 convert
0xb3 f32.convert_i32_u - u32>f32 convert
0xb4 f32.convert_i64_s - i64>f32 convert
0xb5 f32.convert_i64_u - u64>f32 convert
0xb6 f32.demote_f64 - f64>f32 convert
0xb7 f64.convert_i32_s - i32>f64 convert
0xb8 f64.convert_i32_u - u32>f64 convert
0xb9 f64.convert_i64_s - i64>f64 convert
0xba f64.convert_i64_u - u64>f64 convert
0xbb f64.promote_f32 - f32>f64 convert
0xbc i32.reinterpret_f32 - f32>i32 convert
0xbd i64.reinterpret_f64 - f64>i64 convert
0xbe f32.reinterpret_i32 - i32>f32 convert
0xbf f64.reinterpret_i64 - i64>f64 convert
@sign-ext
0xc0 i32.extend8_s - i32>i32 convert
0xc1 i32.extend16_s - i32>i32 convert
0xc2 i64.extend8_s - i64>i64 convert
0xc3 i64.extend16_s - i64>i64 convert
0xc4 i64.extend32_s - i64>i64 convert
@reference-types
0x1c typed_select valtypes ?,?,i32>? parametric
0x25 table.get table T>ref table trap
0x26 table.set table T,ref> table trap wtable
0xd0 ref.null heaptype >ref reference
0xd1 ref.is_null - ref>i32 reference
0xd2 ref.func func >ref reference
@tail-call
0x12 return_call func *>* call ends
0x13 return_call_indirect type,table *,i32>* call ends trap
@exceptions
0x08 throw tag *> exception ends
0x0a throw_ref - ref> exception ends trap
0x1f try_table blocktype,catches ~> control block ends
@legacy-exceptions
0x06 try blocktype *>* control block ends
0x07 catch tag ~> control ends starts
0x09 rethrow label ~> exception ends
0x18 delegate label ~> control ends starts
0x19 catch_all - ~> control ends starts
@function-references
0x14 call_ref type *,ref>* call trap
0x15 return_call_ref type *,ref>* call ends trap
0xd4 ref.as_non_null - ref>ref reference trap
0xd5 br_on_null label *,ref>*,ref reference ends
0xd6 br_on_non_null label *,ref>* reference ends
@gc
0xd3 ref.eq - ref,ref>i32 reference
`;

const PREFIX_FC = `
@sat-conv
0x00 i32.trunc_sat_f32_s - f32>i32 convert
0x01 i32.trunc_sat_f32_u - f32>i32 convert
0x02 i32.trunc_sat_f64_s - f64>i32 convert
0x03 i32.trunc_sat_f64_u - f64>i32 convert
0x04 i64.trunc_sat_f32_s - f32>i64 convert
0x05 i64.trunc_sat_f32_u - f32>i64 convert
0x06 i64.trunc_sat_f64_s - f64>i64 convert
0x07 i64.trunc_sat_f64_u - f64>i64 convert
@bulk-memory
0x08 memory.init data,mem A,i32,i32> memory trap
0x09 data.drop data > memory
0x0a memory.copy mem,mem A,A,A> memory trap
0x0b memory.fill mem A,i32,A> memory trap
0x0c table.init elem,table T,i32,i32> table trap wtable
0x0d elem.drop elem > table
0x0e table.copy table,table T,T,T> table trap wtable
@reference-types
0x0f table.grow table ref,T>T table wtable
0x10 table.size table >T table
0x11 table.fill table T,ref,T> table trap wtable
`;

const PREFIX_FB = `
@gc
0x00 struct.new type *>ref gc
0x01 struct.new_default type >ref gc
0x02 struct.get type,field ref>$ gc trap
0x03 struct.get_s type,field ref>i32 gc trap
0x04 struct.get_u type,field ref>i32 gc trap
0x05 struct.set type,field ref,$> gc trap
0x06 array.new type *,u32>ref gc
0x07 array.new_default type u32>ref gc
0x08 array.new_fixed type,count *>ref gc
0x09 array.new_data type,data i32,i32>ref gc trap
0x0a array.new_elem type,elem i32,i32>ref gc trap
0x0b array.get type ref,i32>$ gc trap
0x0c array.get_s type ref,i32>i32 gc trap
0x0d array.get_u type ref,i32>i32 gc trap
0x0e array.set type ref,i32,$> gc trap
0x0f array.len - ref>i32 gc trap
0x10 array.fill type ref,i32,$,i32> gc trap
0x11 array.copy type,type ref,i32,ref,i32,i32> gc trap
0x12 array.init_data type,data ref,i32,i32,i32> gc trap
0x13 array.init_elem type,elem ref,i32,i32,i32> gc trap
0x14 ref.test heaptype ref>i32 gc
0x15 ref.test_null heaptype ref>i32 gc
0x16 ref.cast heaptype ref>ref gc trap
0x17 ref.cast_null heaptype ref>ref gc trap
0x18 br_on_cast castflags,label,heaptype,heaptype *,ref>*,ref gc ends
0x19 br_on_cast_fail castflags,label,heaptype,heaptype *,ref>*,ref gc ends
0x1a any.convert_extern - ref>ref gc
0x1b extern.convert_any - ref>ref gc
0x1c ref.i31 - i32>ref gc
0x1d i31.get_s - ref>i32 gc trap
0x1e i31.get_u - ref>i32 gc trap
`;

const PREFIX_FE = `
@threads
0x00 memory.atomic.notify memarg a,i32>i32 atomic s4
0x01 memory.atomic.wait32 memarg a,i32,i64>i32 atomic s4
0x02 memory.atomic.wait64 memarg a,i64,i64>i32 atomic s8
0x03 atomic.fence zero > atomic
0x10 i32.atomic.load memarg a>i32 atomic r4
0x11 i64.atomic.load memarg a>i64 atomic r8
0x12 i32.atomic.load8_u memarg a>i32 atomic r1
0x13 i32.atomic.load16_u memarg a>i32 atomic r2
0x14 i64.atomic.load8_u memarg a>i64 atomic r1
0x15 i64.atomic.load16_u memarg a>i64 atomic r2
0x16 i64.atomic.load32_u memarg a>i64 atomic r4
0x17 i32.atomic.store memarg a,i32> atomic w4
0x18 i64.atomic.store memarg a,i64> atomic w8
0x19 i32.atomic.store8 memarg a,i32> atomic w1
0x1a i32.atomic.store16 memarg a,i32> atomic w2
0x1b i64.atomic.store8 memarg a,i64> atomic w1
0x1c i64.atomic.store16 memarg a,i64> atomic w2
0x1d i64.atomic.store32 memarg a,i64> atomic w4
${rmwRows()}
`;

/** The seven read-modify-write families share one shape; listing them by rule avoids 49 near-identical rows. */
function rmwRows(): string {
    const ops = ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'];
    const widths: [string, string, number][] = [
        ['i32', 'rmw', 4], ['i64', 'rmw', 8], ['i32', 'rmw8', 1], ['i32', 'rmw16', 2],
        ['i64', 'rmw8', 1], ['i64', 'rmw16', 2], ['i64', 'rmw32', 4],
    ];
    const rows: string[] = [];
    ops.forEach((op, k) => {
        widths.forEach(([t, w, bytes], j) => {
            const suffix = w === 'rmw' ? op : `${op}_u`;
            const params = op === 'cmpxchg' ? `a,${t},${t}` : `a,${t}`;
            rows.push(`0x${(0x1e + k * 7 + j).toString(16)} ${t}.atomic.${w}.${suffix} memarg ${params}>${t} atomic m${bytes}`);
        });
    });
    return rows.join('\n');
}

// SIMD rows use shape shorthands to stay readable: v = v128.
const PREFIX_FD = `
@simd
0x00 v128.load memarg a>v128 simd r16
0x01 v128.load8x8_s memarg a>v128 simd r8
0x02 v128.load8x8_u memarg a>v128 simd r8
0x03 v128.load16x4_s memarg a>v128 simd r8
0x04 v128.load16x4_u memarg a>v128 simd r8
0x05 v128.load32x2_s memarg a>v128 simd r8
0x06 v128.load32x2_u memarg a>v128 simd r8
0x07 v128.load8_splat memarg a>v128 simd r1
0x08 v128.load16_splat memarg a>v128 simd r2
0x09 v128.load32_splat memarg a>v128 simd r4
0x0a v128.load64_splat memarg a>v128 simd r8
0x0b v128.store memarg a,v128> simd w16
0x0c v128.const v128 >v128 simd
0x0d i8x16.shuffle shuffle v,v>v simd
0x0e i8x16.swizzle - v,v>v simd
0x0f i8x16.splat - i32>v simd
0x10 i16x8.splat - i32>v simd
0x11 i32x4.splat - i32>v simd
0x12 i64x2.splat - i64>v simd
0x13 f32x4.splat - f32>v simd
0x14 f64x2.splat - f64>v simd
0x15 i8x16.extract_lane_s lane v>i32 simd
0x16 i8x16.extract_lane_u lane v>i32 simd
0x17 i8x16.replace_lane lane v,i32>v simd
0x18 i16x8.extract_lane_s lane v>i32 simd
0x19 i16x8.extract_lane_u lane v>i32 simd
0x1a i16x8.replace_lane lane v,i32>v simd
0x1b i32x4.extract_lane lane v>i32 simd
0x1c i32x4.replace_lane lane v,i32>v simd
0x1d i64x2.extract_lane lane v>i64 simd
0x1e i64x2.replace_lane lane v,i64>v simd
0x1f f32x4.extract_lane lane v>f32 simd
0x20 f32x4.replace_lane lane v,f32>v simd
0x21 f64x2.extract_lane lane v>f64 simd
0x22 f64x2.replace_lane lane v,f64>v simd
${simdSeq(0x23, 'i8x16', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'], 'v,v>v')}
${simdSeq(0x2d, 'i16x8', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'], 'v,v>v')}
${simdSeq(0x37, 'i32x4', ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'], 'v,v>v')}
${simdSeq(0x41, 'f32x4', ['eq', 'ne', 'lt', 'gt', 'le', 'ge'], 'v,v>v')}
${simdSeq(0x47, 'f64x2', ['eq', 'ne', 'lt', 'gt', 'le', 'ge'], 'v,v>v')}
0x4d v128.not - v>v simd
0x4e v128.and - v,v>v simd
0x4f v128.andnot - v,v>v simd
0x50 v128.or - v,v>v simd
0x51 v128.xor - v,v>v simd
0x52 v128.bitselect - v,v,v>v simd
0x53 v128.any_true - v>i32 simd
0x54 v128.load8_lane memarg,lane a,v>v simd r1
0x55 v128.load16_lane memarg,lane a,v>v simd r2
0x56 v128.load32_lane memarg,lane a,v>v simd r4
0x57 v128.load64_lane memarg,lane a,v>v simd r8
0x58 v128.store8_lane memarg,lane a,v> simd w1
0x59 v128.store16_lane memarg,lane a,v> simd w2
0x5a v128.store32_lane memarg,lane a,v> simd w4
0x5b v128.store64_lane memarg,lane a,v> simd w8
0x5c v128.load32_zero memarg a>v simd r4
0x5d v128.load64_zero memarg a>v simd r8
0x5e f32x4.demote_f64x2_zero - v>v simd
0x5f f64x2.promote_low_f32x4 - v>v simd
0x60 i8x16.abs - v>v simd
0x61 i8x16.neg - v>v simd
0x62 i8x16.popcnt - v>v simd
0x63 i8x16.all_true - v>i32 simd
0x64 i8x16.bitmask - v>i32 simd
0x65 i8x16.narrow_i16x8_s - v,v>v simd
0x66 i8x16.narrow_i16x8_u - v,v>v simd
0x67 f32x4.ceil - v>v simd
0x68 f32x4.floor - v>v simd
0x69 f32x4.trunc - v>v simd
0x6a f32x4.nearest - v>v simd
0x6b i8x16.shl - v,i32>v simd
0x6c i8x16.shr_s - v,i32>v simd
0x6d i8x16.shr_u - v,i32>v simd
0x6e i8x16.add - v,v>v simd
0x6f i8x16.add_sat_s - v,v>v simd
0x70 i8x16.add_sat_u - v,v>v simd
0x71 i8x16.sub - v,v>v simd
0x72 i8x16.sub_sat_s - v,v>v simd
0x73 i8x16.sub_sat_u - v,v>v simd
0x74 f64x2.ceil - v>v simd
0x75 f64x2.floor - v>v simd
0x76 i8x16.min_s - v,v>v simd
0x77 i8x16.min_u - v,v>v simd
0x78 i8x16.max_s - v,v>v simd
0x79 i8x16.max_u - v,v>v simd
0x7a f64x2.trunc - v>v simd
0x7b i8x16.avgr_u - v,v>v simd
0x7c i16x8.extadd_pairwise_i8x16_s - v>v simd
0x7d i16x8.extadd_pairwise_i8x16_u - v>v simd
0x7e i32x4.extadd_pairwise_i16x8_s - v>v simd
0x7f i32x4.extadd_pairwise_i16x8_u - v>v simd
0x80 i16x8.abs - v>v simd
0x81 i16x8.neg - v>v simd
0x82 i16x8.q15mulr_sat_s - v,v>v simd
0x83 i16x8.all_true - v>i32 simd
0x84 i16x8.bitmask - v>i32 simd
0x85 i16x8.narrow_i32x4_s - v,v>v simd
0x86 i16x8.narrow_i32x4_u - v,v>v simd
0x87 i16x8.extend_low_i8x16_s - v>v simd
0x88 i16x8.extend_high_i8x16_s - v>v simd
0x89 i16x8.extend_low_i8x16_u - v>v simd
0x8a i16x8.extend_high_i8x16_u - v>v simd
0x8b i16x8.shl - v,i32>v simd
0x8c i16x8.shr_s - v,i32>v simd
0x8d i16x8.shr_u - v,i32>v simd
0x8e i16x8.add - v,v>v simd
0x8f i16x8.add_sat_s - v,v>v simd
0x90 i16x8.add_sat_u - v,v>v simd
0x91 i16x8.sub - v,v>v simd
0x92 i16x8.sub_sat_s - v,v>v simd
0x93 i16x8.sub_sat_u - v,v>v simd
0x94 f64x2.nearest - v>v simd
0x95 i16x8.mul - v,v>v simd
0x96 i16x8.min_s - v,v>v simd
0x97 i16x8.min_u - v,v>v simd
0x98 i16x8.max_s - v,v>v simd
0x99 i16x8.max_u - v,v>v simd
0x9b i16x8.avgr_u - v,v>v simd
0x9c i16x8.extmul_low_i8x16_s - v,v>v simd
0x9d i16x8.extmul_high_i8x16_s - v,v>v simd
0x9e i16x8.extmul_low_i8x16_u - v,v>v simd
0x9f i16x8.extmul_high_i8x16_u - v,v>v simd
0xa0 i32x4.abs - v>v simd
0xa1 i32x4.neg - v>v simd
0xa3 i32x4.all_true - v>i32 simd
0xa4 i32x4.bitmask - v>i32 simd
0xa7 i32x4.extend_low_i16x8_s - v>v simd
0xa8 i32x4.extend_high_i16x8_s - v>v simd
0xa9 i32x4.extend_low_i16x8_u - v>v simd
0xaa i32x4.extend_high_i16x8_u - v>v simd
0xab i32x4.shl - v,i32>v simd
0xac i32x4.shr_s - v,i32>v simd
0xad i32x4.shr_u - v,i32>v simd
0xae i32x4.add - v,v>v simd
0xb1 i32x4.sub - v,v>v simd
0xb5 i32x4.mul - v,v>v simd
0xb6 i32x4.min_s - v,v>v simd
0xb7 i32x4.min_u - v,v>v simd
0xb8 i32x4.max_s - v,v>v simd
0xb9 i32x4.max_u - v,v>v simd
0xba i32x4.dot_i16x8_s - v,v>v simd
0xbc i32x4.extmul_low_i16x8_s - v,v>v simd
0xbd i32x4.extmul_high_i16x8_s - v,v>v simd
0xbe i32x4.extmul_low_i16x8_u - v,v>v simd
0xbf i32x4.extmul_high_i16x8_u - v,v>v simd
0xc0 i64x2.abs - v>v simd
0xc1 i64x2.neg - v>v simd
0xc3 i64x2.all_true - v>i32 simd
0xc4 i64x2.bitmask - v>i32 simd
0xc7 i64x2.extend_low_i32x4_s - v>v simd
0xc8 i64x2.extend_high_i32x4_s - v>v simd
0xc9 i64x2.extend_low_i32x4_u - v>v simd
0xca i64x2.extend_high_i32x4_u - v>v simd
0xcb i64x2.shl - v,i32>v simd
0xcc i64x2.shr_s - v,i32>v simd
0xcd i64x2.shr_u - v,i32>v simd
0xce i64x2.add - v,v>v simd
0xd1 i64x2.sub - v,v>v simd
0xd5 i64x2.mul - v,v>v simd
0xd6 i64x2.eq - v,v>v simd
0xd7 i64x2.ne - v,v>v simd
0xd8 i64x2.lt_s - v,v>v simd
0xd9 i64x2.gt_s - v,v>v simd
0xda i64x2.le_s - v,v>v simd
0xdb i64x2.ge_s - v,v>v simd
0xdc i64x2.extmul_low_i32x4_s - v,v>v simd
0xdd i64x2.extmul_high_i32x4_s - v,v>v simd
0xde i64x2.extmul_low_i32x4_u - v,v>v simd
0xdf i64x2.extmul_high_i32x4_u - v,v>v simd
0xe0 f32x4.abs - v>v simd
0xe1 f32x4.neg - v>v simd
0xe3 f32x4.sqrt - v>v simd
${simdSeq(0xe4, 'f32x4', ['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax'], 'v,v>v')}
0xec f64x2.abs - v>v simd
0xed f64x2.neg - v>v simd
0xef f64x2.sqrt - v>v simd
${simdSeq(0xf0, 'f64x2', ['add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax'], 'v,v>v')}
0xf8 i32x4.trunc_sat_f32x4_s - v>v simd
0xf9 i32x4.trunc_sat_f32x4_u - v>v simd
0xfa f32x4.convert_i32x4_s - v>v simd
0xfb f32x4.convert_i32x4_u - v>v simd
0xfc i32x4.trunc_sat_f64x2_s_zero - v>v simd
0xfd i32x4.trunc_sat_f64x2_u_zero - v>v simd
0xfe f64x2.convert_low_i32x4_s - v>v simd
0xff f64x2.convert_low_i32x4_u - v>v simd
@relaxed-simd
0x100 i8x16.relaxed_swizzle - v,v>v simd
0x101 i32x4.relaxed_trunc_f32x4_s - v>v simd
0x102 i32x4.relaxed_trunc_f32x4_u - v>v simd
0x103 i32x4.relaxed_trunc_f64x2_s_zero - v>v simd
0x104 i32x4.relaxed_trunc_f64x2_u_zero - v>v simd
0x105 f32x4.relaxed_madd - v,v,v>v simd
0x106 f32x4.relaxed_nmadd - v,v,v>v simd
0x107 f64x2.relaxed_madd - v,v,v>v simd
0x108 f64x2.relaxed_nmadd - v,v,v>v simd
0x109 i8x16.relaxed_laneselect - v,v,v>v simd
0x10a i16x8.relaxed_laneselect - v,v,v>v simd
0x10b i32x4.relaxed_laneselect - v,v,v>v simd
0x10c i64x2.relaxed_laneselect - v,v,v>v simd
0x10d f32x4.relaxed_min - v,v>v simd
0x10e f32x4.relaxed_max - v,v>v simd
0x10f f64x2.relaxed_min - v,v>v simd
0x110 f64x2.relaxed_max - v,v>v simd
0x111 i16x8.relaxed_q15mulr_s - v,v>v simd
0x112 i16x8.relaxed_dot_i8x16_i7x16_s - v,v>v simd
0x113 i32x4.relaxed_dot_i8x16_i7x16_add_s - v,v,v>v simd
`;

function simdSeq(start: number, shape: string, names: string[], sig: string): string {
    return names.map((n, i) => `0x${(start + i).toString(16)} ${shape}.${n} - ${sig} simd`).join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Parsing the rows into OpInfo records and lookup tables.

const TYPE_TOKENS = new Set<SigType>(['i32', 'i64', 'f32', 'f64', 'v128', 'u32', 'u64', 'a', 'A', 'T', 'ref', '?', '$', '*']);
const NUMERIC = new Set<SigType>(['i32', 'i64', 'f32', 'f64', 'v128', 'u32', 'u64']);
const IMM_KINDS = new Set<ImmKind>([
    'label', 'func', 'type', 'table', 'local', 'global', 'tag', 'data', 'elem', 'mem', 'field', 'count',
    'blocktype', 'memarg', 'brtable', 'i32', 'i64', 'f32', 'f64', 'v128', 'lane', 'shuffle', 'valtypes',
    'heaptype', 'catches', 'castflags', 'zero',
]);

function parseTypes(s: string, row: string): SigType[] {
    if (s === '') return [];
    return s.split(',').map((t) => {
        const tok = (t === 'v' ? 'v128' : t) as SigType;
        if (!TYPE_TOKENS.has(tok)) throw new Error(`opcode table: bad type '${t}' in: ${row}`);
        return tok;
    });
}

const all: OpInfo[] = [];

function load(prefix: number, text: string): void {
    let proposal = 'mvp';
    for (const raw of text.split('\n')) {
        const row = raw.trim();
        if (!row) continue;
        if (row.startsWith('@')) { proposal = row.slice(1); continue; }
        const [code, name, imms, sig, category, ...rest] = row.split(/\s+/);
        const ruleTyped = sig.startsWith('~');
        const [p, r] = (ruleTyped ? sig.slice(1) : sig).split('>');
        if (r === undefined) throw new Error(`opcode table: bad signature in: ${row}`);
        const params = parseTypes(p, row), results = parseTypes(r, row);
        const immList = imms === '-' ? [] : imms.split(',') as ImmKind[];
        for (const k of immList) if (!IMM_KINDS.has(k)) throw new Error(`opcode table: bad immediate '${k}' in: ${row}`);
        const catId = CATEGORIES.indexOf(category as Category);
        if (catId < 0) throw new Error(`opcode table: bad category in: ${row}`);
        let mem: MemAccess | null = null;
        let blockLike = false, endsBlock = false, startsBlock = false, mayTrap = false, writesTable = false;
        for (const f of rest) {
            const m = /^([rwms])(\d+)$/.exec(f);
            if (m) {
                const kind = ({ r: 'read', w: 'write', m: 'rmw', s: 'sync' } as const)[m[1] as 'r' | 'w' | 'm' | 's'];
                mem = { kind, bytes: Number(m[2]), isWrite: kind === 'write' || kind === 'rmw' };
            } else if (f === 'block') blockLike = true;
            else if (f === 'ends') endsBlock = true;
            else if (f === 'starts') startsBlock = true;
            else if (f === 'trap') mayTrap = true;
            else if (f === 'wtable') writesTable = true;
            else throw new Error(`opcode table: bad flag '${f}' in: ${row}`);
        }
        const c = Number(code);
        all.push({
            name, prefix, code: c,
            bytecode: prefix < 0 ? c : ((prefix << 8) | c) & 0xffff,
            imms: immList, params, results,
            fixed: !ruleTyped && params.every((t) => NUMERIC.has(t)) && results.every((t) => NUMERIC.has(t)),
            ruleTyped,
            category: category as Category, categoryId: catId, mem, blockLike, endsBlock, startsBlock,
            mayTrap: mayTrap || mem !== null, writesTable, proposal, index: all.length,
        });
    }
}

load(-1, CORE);
load(0xfc, PREFIX_FC);
load(0xfb, PREFIX_FB);
load(0xfd, PREFIX_FD);
load(0xfe, PREFIX_FE);

/** Every instruction, in table order. */
export const OPCODES: readonly OpInfo[] = all;

/** Single-byte opcodes indexed by byte (undefined where none). */
export const PRIMARY: readonly (OpInfo | undefined)[] = (() => {
    const t: (OpInfo | undefined)[] = new Array(256).fill(undefined);
    for (const op of all) if (op.prefix < 0) t[op.code] = op;
    return t;
})();

/** Prefixed opcodes: prefix byte -> array indexed by sub-opcode. */
export const PREFIXED: ReadonlyMap<number, readonly (OpInfo | undefined)[]> = (() => {
    const m = new Map<number, (OpInfo | undefined)[]>();
    for (const op of all) {
        if (op.prefix < 0) continue;
        let arr = m.get(op.prefix);
        if (!arr) m.set(op.prefix, arr = []);
        arr[op.code] = op;
    }
    return m;
})();

const byName = new Map<string, OpInfo>();
for (const op of all) {
    if (byName.has(op.name)) throw new Error(`opcode table: duplicate name ${op.name}`);
    byName.set(op.name, op);
}

/** Looks an instruction up by its table name (`i32.add`, `typed_select`). */
export function opByName(name: string): OpInfo | undefined {
    return byName.get(name);
}

/** Looks an instruction up by encoding; prefix -1 for single-byte opcodes. */
export function opByCode(prefix: number, code: number): OpInfo | undefined {
    return prefix < 0 ? PRIMARY[code] : PREFIXED.get(prefix)?.[code];
}

/** Convenience for the emitter and tests: the entry named `name`, or a thrown error. */
export function op(name: string): OpInfo {
    const o = byName.get(name);
    if (!o) throw new Error(`unknown instruction ${name}`);
    return o;
}

/** The wasm value type behind a fixed numeric token (u32 is an i32 read as unsigned, and so on). */
export function wasmTypeOf(t: SigType): 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | null {
    switch (t) {
        case 'i32': case 'u32': return 'i32';
        case 'i64': case 'u64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        case 'v128': return 'v128';
        default: return null;
    }
}

/** An instruction's name as an identifier (`i32.atomic.rmw.add` -> `i32_atomic_rmw_add`): its key in OP. */
export function opKey(o: OpInfo): string {
    return o.name.replace(/\./g, '_');
}

/**
 * An instruction's code as one number (the values of OP in op.generated.ts): the opcode byte, or
 * prefix << 16 | sub-opcode for prefixed instructions. ByteWriter.op / CodeWriter.op encode it.
 */
export function opCodeOf(o: OpInfo): number {
    return o.prefix < 0 ? o.code : o.prefix * 0x10000 + o.code;
}

/** The table entry of a code made by opCodeOf. */
export function opOfCode(code: number): OpInfo | undefined {
    return code < 0x100 ? PRIMARY[code] : PREFIXED.get(code >>> 16)?.[code & 0xffff];
}
