// The WebAssembly binary layer: one opcode table (opcodes.ts) drives decoding, encoding, operand typing
// and the Whamm event catalog (../catalog).
//
// Design
//   - decodeModule() reads every section into records and remembers byte ranges (sections, entries,
//     bodies, init expressions), so anything unchanged is re-emitted by copying bytes: a module decoded
//     and emitted with no changes is identical to the input.
//   - Bodies are decoded on demand. InstrCursor walks one without allocating (op, offset, pc, opidx);
//     decodeBody() materialises Instr records with immediates; typeBody() adds operand/result types.
//   - pc = byte offset from the body content start (just after the body-size LEB), so the local
//     declarations count: with no locals the first instruction is at pc 1.
//   - ModuleRewriter re-emits with edited bodies (original code ranges + new code), appended types,
//     function imports, globals, functions, exports and custom sections; adding imports remaps every
//     function index (code, elements, globals, tables, exports, start, name section).
//   - Malformed input raises WasmDecodeError(offset, expected); nothing else escapes the decoder.
//
// API overview
//   decodeModule(bytes): WasmModule            sections, types, imports, funcTypes, tables, memories,
//                                              globals, tags, exports, start, elements, data, bodies, names
//   funcType(m, f) / funcName(m, f) / funcImport(m, f) / bodyOf(m, f) / bodyLocals(m, body)
//   memIndexType(m, mem) / tableIndexType(m, table): 'i32' | 'i64'
//   decodeBody(m, f): { locals, groups, codeStart, instrs: Instr[] }   Instr = { op, offset, end, pc, opidx, imms }
//   cursorOf(m, f): InstrCursor                next() / op / offset / end / pc / opidx / immediates()
//   typeBody(m, f): decodeBody + operands[i] (arg0 first), results[i], unreachable[i]
//                   (operand/result arrays may be shared and frozen: copy before changing them)
//   OPCODES / opByName / opByCode / op(name)   the table (OpInfo: name, prefix, code, bytecode, imms,
//                                              params, results, category, mem, blockLike, endsBlock,
//                                              startsBlock, mayTrap, writesTable, proposal)
//   OP.i32_add ...                             every instruction's code by name (op.generated.ts)
//   ByteWriter (op/u32/s32/s64/u64/f32/f64/name/valType/sized) and emitInstr(w, 'i32.const', 5)
//   ModuleRewriter: addFuncType, addFuncImport (first!), funcIndex(old), addGlobal/addZeroGlobal,
//                   addFunction, addExport, addCustomSection, firstExtraLocal, editBody(f, {extraLocals,
//                   code: CodeBuilder | pieces}), emit(): Uint8Array
//   CodeBuilder: copy(start, end) original code, emit(op, ...imms), raw(bytes); `out` is its ByteWriter
//                for hot loops (w.op(OP.global_get).u32(g)) — nothing is allocated per instruction

export * from './opcodes.js';
export { OP, type OpKey } from './op.generated.js';
export { WasmDecodeError, Reader } from './reader.js';
export * from './types.js';
export {
    InstrCursor, constOffset, decodeInstrs, readImms, readOp, scanInstr, skipConstExpr,
    type BlockType, type BrTable, type Catch, type Imm, type Instr, type MemArg,
} from './instructions.js';
export * from './decode.js';
export { decodeBody, cursorOf, type DecodedBody } from './body.js';
export { typeBody, memIndexOf, type BodyTyping } from './typing.js';
export { ByteWriter, emitInstr, emitOpcode, encodeU32, encodeS32, encodeS64 } from './encode.js';
export { ModuleRewriter, CodeBuilder, type BodyEdit, type CodePiece } from './rewrite.js';
