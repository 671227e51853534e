// Operand typing: a validator-style pass over one body with a value stack and a control stack, giving
// for every instruction the value types it consumes (arg0 = top of the stack first) and produces.
// It does not validate: on ill-typed input it keeps going and reports `unknown` where it cannot tell.
// In unreachable code (after br, return, unreachable, throw...) the stack is polymorphic: popping past
// the frame's base yields `unknown` unless the instruction's own signature fixes the type.

import { blockFuncType, funcType, memIndexType, tableIndexType, type WasmModule } from './decode.js';
import { decodeBody, type DecodedBody } from './body.js';
import type { BlockType, BrTable, Instr, MemArg } from './instructions.js';
import { wasmTypeOf, type OpInfo, type SigType } from './opcodes.js';
import { parseRefType, refType, UNKNOWN, type ValType } from './types.js';

export interface BodyTyping extends DecodedBody {
    /** operands[i]: the values instruction i consumes, arg0 (top of the stack) first. */
    readonly operands: readonly (readonly ValType[])[];
    /** results[i]: the values instruction i pushes, in push order (res0 first). */
    readonly results: readonly (readonly ValType[])[];
    /** True for instructions in unreachable code. */
    readonly unreachable: readonly boolean[];
}

interface Frame {
    readonly op: string;
    readonly params: readonly ValType[];
    readonly results: readonly ValType[];
    readonly height: number;
    unreachable: boolean;
}

const EMPTY: readonly ValType[] = [];

/** Types every instruction of function `func` (imports counted). */
export function typeBody(m: WasmModule, func: number, decoded: DecodedBody = decodeBody(m, func)): BodyTyping {
    const ft = funcType(m, func);
    const locals = decoded.locals;
    const stack: ValType[] = [];
    const ctrl: Frame[] = [{ op: 'func', params: EMPTY, results: ft.results, height: 0, unreachable: false }];
    const operands: (readonly ValType[])[] = [];
    const results: (readonly ValType[])[] = [];
    const unreachable: boolean[] = [];

    const top = () => ctrl[ctrl.length - 1];
    const pop = (expect?: ValType): ValType => {
        const f = top();
        if (stack.length <= (f?.height ?? 0)) return expect ?? UNKNOWN;
        const t = stack.pop()!;
        return t === UNKNOWN && expect ? expect : t;
    };
    const popN = (ts: readonly ValType[], into: ValType[]) => { for (let i = ts.length - 1; i >= 0; i--) into.push(pop(ts[i])); };
    const push = (ts: readonly ValType[]) => { for (const t of ts) stack.push(t); };
    const setUnreachable = () => { const f = top(); if (f) { stack.length = f.height; f.unreachable = true; } };
    const labelTypes = (depth: number): readonly ValType[] => {
        const f = ctrl[ctrl.length - 1 - depth];
        if (!f) return EMPTY;
        return f.op === 'loop' ? f.params : f.results;
    };
    const blockSig = (bt: BlockType): { params: readonly ValType[]; results: readonly ValType[] } => {
        if (bt === null) return { params: EMPTY, results: EMPTY };
        if (typeof bt === 'string') return { params: EMPTY, results: [bt] };
        try { return blockFuncType(m, bt); } catch { return { params: EMPTY, results: EMPTY }; }
    };
    const typeOfFunc = (idx: number) => { try { return funcType(m, idx); } catch { return { params: EMPTY, results: EMPTY }; } };
    const typeOfIdx = (idx: number) => { try { return blockFuncType(m, idx); } catch { return { params: EMPTY, results: EMPTY }; } };
    const comp = (idx: number) => m.types[idx]?.comp;
    const fieldOf = (t: number, f: number): ValType => {
        const c = comp(t);
        if (c?.kind === 'struct') return c.fields[f]?.type ?? UNKNOWN;
        if (c?.kind === 'array') return c.field.type;
        return UNKNOWN;
    };
    const nonNull = (t: ValType): ValType => {
        const r = parseRefType(t);
        return r ? `(ref ${r.heap})` : t;
    };
    const tagParams = (tag: number) => { const t = m.tags[tag]; return t === undefined ? EMPTY : typeOfIdx(t).params; };

    for (const ins of decoded.instrs) {
        const op = ins.op;
        unreachable.push(ctrl.length ? ctrl[ctrl.length - 1].unreachable : true);
        const sig = genericSig(op, m, ins);
        if (sig) {
            const sigArgs = sig[0], sigRes = sig[1];
            const base = ctrl.length ? ctrl[ctrl.length - 1].height : 0;
            // pop without looking: the signature fixes the types (reachable or not)
            stack.length = Math.max(base, stack.length - sigArgs.length);
            for (let i = 0; i < sigRes.length; i++) stack.push(sigRes[i]);
            operands.push(sigArgs);
            results.push(sigRes);
            continue;
        }
        const args: ValType[] = [];
        let res: readonly ValType[] = EMPTY;
        const imm = ins.imms;
        {
            switch (op.name) {
                case 'unreachable': setUnreachable(); break;
                case 'block': case 'loop': case 'try': {
                    const sig = blockSig(imm[0] as BlockType);
                    popN(sig.params, args);
                    ctrl.push({ op: op.name, params: sig.params, results: sig.results, height: stack.length, unreachable: false });
                    push(sig.params);
                    break;
                }
                case 'if': {
                    const sig = blockSig(imm[0] as BlockType);
                    args.push(pop('i32'));
                    popN(sig.params, args);
                    ctrl.push({ op: 'if', params: sig.params, results: sig.results, height: stack.length, unreachable: false });
                    push(sig.params);
                    break;
                }
                case 'try_table': {
                    const sig = blockSig(imm[0] as BlockType);
                    popN(sig.params, args);
                    ctrl.push({ op: 'try_table', params: sig.params, results: sig.results, height: stack.length, unreachable: false });
                    push(sig.params);
                    break;
                }
                case 'else': case 'catch': case 'catch_all': {
                    const f = top();
                    if (!f) break;
                    popN(f.results, args);
                    stack.length = f.height;
                    f.unreachable = false;
                    if (op.name === 'else') push(f.params);
                    else if (op.name === 'catch') push(tagParams(imm[0] as number));
                    break;
                }
                case 'end': case 'delegate': {
                    const f = ctrl.pop();
                    if (!f) break;
                    popN(f.results, args);
                    stack.length = f.height;
                    res = f.results;
                    if (ctrl.length) push(res);
                    break;
                }
                case 'br': case 'rethrow':
                    if (op.name === 'br') popN(labelTypes(imm[0] as number), args);
                    setUnreachable();
                    break;
                case 'br_if': {
                    args.push(pop('i32'));
                    const lt = labelTypes(imm[0] as number);
                    popN(lt, args);
                    res = args.slice(1).reverse();
                    push(res);
                    break;
                }
                case 'br_table': {
                    args.push(pop('i32'));
                    popN(labelTypes((imm[0] as BrTable).default), args);
                    setUnreachable();
                    break;
                }
                case 'return': popN(ft.results, args); setUnreachable(); break;
                case 'call': case 'return_call': {
                    const t = typeOfFunc(imm[0] as number);
                    popN(t.params, args);
                    if (op.name === 'call') { res = t.results; push(res); } else setUnreachable();
                    break;
                }
                case 'call_indirect': case 'return_call_indirect': {
                    const t = typeOfIdx(imm[0] as number);
                    args.push(pop(tableIndexType(m, imm[1] as number)));
                    popN(t.params, args);
                    if (op.name === 'call_indirect') { res = t.results; push(res); } else setUnreachable();
                    break;
                }
                case 'call_ref': case 'return_call_ref': {
                    const t = typeOfIdx(imm[0] as number);
                    args.push(pop(`(ref null ${imm[0]})`));
                    popN(t.params, args);
                    if (op.name === 'call_ref') { res = t.results; push(res); } else setUnreachable();
                    break;
                }
                case 'throw': popN(tagParams(imm[0] as number), args); setUnreachable(); break;
                case 'throw_ref': args.push(pop('exnref')); setUnreachable(); break;
                case 'drop': args.push(pop()); break;
                case 'select': case 'typed_select': {
                    args.push(pop('i32'));
                    const declared = op.name === 'typed_select' ? (imm[0] as ValType[])[0] : undefined;
                    const b = pop(declared), a = pop(declared ?? (b !== UNKNOWN ? b : undefined));
                    args.push(b, a);
                    res = [a !== UNKNOWN ? a : b];
                    push(res);
                    break;
                }
                case 'local.get': res = [locals[imm[0] as number] ?? UNKNOWN]; push(res); break;
                case 'local.set': args.push(pop(locals[imm[0] as number])); break;
                case 'local.tee': { const t = locals[imm[0] as number] ?? UNKNOWN; args.push(pop(t)); res = [t]; push(res); break; }
                case 'global.get': res = [m.globals[imm[0] as number]?.type ?? UNKNOWN]; push(res); break;
                case 'global.set': args.push(pop(m.globals[imm[0] as number]?.type)); break;
                case 'table.get': {
                    const x = imm[0] as number;
                    args.push(pop(tableIndexType(m, x)));
                    res = [m.tables[x]?.elem ?? UNKNOWN];
                    push(res);
                    break;
                }
                case 'table.set': {
                    const x = imm[0] as number;
                    args.push(pop(m.tables[x]?.elem), pop(tableIndexType(m, x)));
                    break;
                }
                case 'table.grow': {
                    const x = imm[0] as number, it = tableIndexType(m, x);
                    args.push(pop(it), pop(m.tables[x]?.elem));
                    res = [it];
                    push(res);
                    break;
                }
                case 'table.fill': {
                    const x = imm[0] as number, it = tableIndexType(m, x);
                    args.push(pop(it), pop(m.tables[x]?.elem), pop(it));
                    break;
                }
                case 'ref.null': res = [refType(true, imm[0] as number)]; push(res); break;
                case 'ref.is_null': args.push(pop()); res = ['i32']; push(res); break;
                case 'ref.func': res = [`(ref ${m.funcTypes[imm[0] as number] ?? 'func'})`]; push(res); break;
                case 'ref.eq': args.push(pop('eqref'), pop('eqref')); res = ['i32']; push(res); break;
                case 'ref.as_non_null': { const t = pop(); args.push(t); res = [nonNull(t)]; push(res); break; }
                case 'br_on_null': {
                    const t = pop();
                    args.push(t);
                    const lt = labelTypes(imm[0] as number);
                    popN(lt, args);
                    push(lt);
                    res = [...lt, nonNull(t)];
                    stack.push(nonNull(t));
                    break;
                }
                case 'br_on_non_null': {
                    args.push(pop());
                    const lt = labelTypes(imm[0] as number);
                    const rest = lt.slice(0, -1);
                    popN(rest, args);
                    push(rest);
                    res = rest;
                    break;
                }
                case 'struct.new': {
                    const c = comp(imm[0] as number);
                    const fields = c?.kind === 'struct' ? c.fields.map((f) => f.type) : EMPTY;
                    popN(fields, args);
                    res = [`(ref ${imm[0]})`];
                    push(res);
                    break;
                }
                case 'struct.new_default': res = [`(ref ${imm[0]})`]; push(res); break;
                case 'struct.get': case 'struct.get_s': case 'struct.get_u': {
                    args.push(pop(`(ref null ${imm[0]})`));
                    res = [op.name === 'struct.get' ? fieldOf(imm[0] as number, imm[1] as number) : 'i32'];
                    push(res);
                    break;
                }
                case 'struct.set':
                    args.push(pop(fieldOf(imm[0] as number, imm[1] as number)), pop(`(ref null ${imm[0]})`));
                    break;
                case 'array.new': {
                    args.push(pop('i32'), pop(fieldOf(imm[0] as number, 0)));
                    res = [`(ref ${imm[0]})`];
                    push(res);
                    break;
                }
                case 'array.new_default': case 'array.new_data': case 'array.new_elem': {
                    args.push(pop('i32'));
                    if (op.name !== 'array.new_default') args.push(pop('i32'));
                    res = [`(ref ${imm[0]})`];
                    push(res);
                    break;
                }
                case 'array.new_fixed': {
                    const t = fieldOf(imm[0] as number, 0);
                    for (let i = 0; i < (imm[1] as number) && i < 100000; i++) args.push(pop(t));
                    res = [`(ref ${imm[0]})`];
                    push(res);
                    break;
                }
                case 'array.get': case 'array.get_s': case 'array.get_u': {
                    args.push(pop('i32'), pop(`(ref null ${imm[0]})`));
                    res = [op.name === 'array.get' ? fieldOf(imm[0] as number, 0) : 'i32'];
                    push(res);
                    break;
                }
                case 'array.set':
                    args.push(pop(fieldOf(imm[0] as number, 0)), pop('i32'), pop(`(ref null ${imm[0]})`));
                    break;
                case 'array.len': args.push(pop('arrayref')); res = ['i32']; push(res); break;
                case 'array.fill':
                    args.push(pop('i32'), pop(fieldOf(imm[0] as number, 0)), pop('i32'), pop(`(ref null ${imm[0]})`));
                    break;
                case 'array.copy':
                    args.push(pop('i32'), pop('i32'), pop(`(ref null ${imm[1]})`), pop('i32'), pop(`(ref null ${imm[0]})`));
                    break;
                case 'array.init_data': case 'array.init_elem':
                    args.push(pop('i32'), pop('i32'), pop('i32'), pop(`(ref null ${imm[0]})`));
                    break;
                case 'ref.test': case 'ref.test_null': args.push(pop()); res = ['i32']; push(res); break;
                case 'ref.cast': case 'ref.cast_null':
                    args.push(pop());
                    res = [refType(op.name === 'ref.cast_null', imm[0] as number)];
                    push(res);
                    break;
                case 'br_on_cast': case 'br_on_cast_fail': {
                    const flags = imm[0] as number;
                    const t = pop();
                    args.push(t);
                    const lt = labelTypes(imm[1] as number);
                    const rest = lt.slice(0, -1);
                    popN(rest, args);
                    push(rest);
                    // falls through with the source type (br_on_cast) or the target type (br_on_cast_fail)
                    const fall = op.name === 'br_on_cast' ? refType((flags & 1) !== 0, imm[2] as number) : refType((flags & 2) !== 0, imm[3] as number);
                    res = [...rest, op.name === 'br_on_cast' ? t : fall];
                    stack.push(res[res.length - 1]);
                    break;
                }
                case 'any.convert_extern': { const t = pop(); args.push(t); res = [parseRefType(t)?.nullable === false ? '(ref any)' : 'anyref']; push(res); break; }
                case 'extern.convert_any': { const t = pop(); args.push(t); res = [parseRefType(t)?.nullable === false ? '(ref extern)' : 'externref']; push(res); break; }
                case 'ref.i31': args.push(pop('i32')); res = ['(ref i31)']; push(res); break;
                case 'i31.get_s': case 'i31.get_u': args.push(pop('i31ref')); res = ['i32']; push(res); break;
                default:
                    // Every instruction with a non-generic signature has a case above; the table test checks it.
                    throw new Error(`typing: no rule for ${op.name}`);
            }
        }
        operands.push(args);
        results.push(res);
    }
    return { ...decoded, operands, results, unreachable };
}

function generic(t: SigType): boolean {
    return t !== 'ref' && t !== '?' && t !== '$' && t !== '*';
}

type Sig = readonly [readonly ValType[], readonly ValType[]];
/** Per op index: null = typed by a rule; else signatures for 32-bit (slot 0) and 64-bit (slot 1) index types. */
const SIGS: (null | [Sig | undefined, Sig | undefined])[] = [];

/**
 * The operand (arg0 first) and result types of an instruction whose signature is fixed up to the index
 * type of its memory or table; shared frozen arrays, so typing these allocates nothing. Null otherwise.
 */
function genericSig(op: OpInfo, m: WasmModule, ins: Instr): Sig | null {
    let slots = SIGS[op.index];
    if (slots === undefined) {
        slots = SIGS[op.index] = op.ruleTyped || !op.params.every(generic) || !op.results.every(generic) ? null : [undefined, undefined];
    }
    if (slots === null) return null;
    let wide = false;
    if (!op.fixed) {
        const usesTable = op.params.includes('T') || op.results.includes('T');
        wide = (usesTable ? tableIndexType(m, tableIndexOf(ins)) : memIndexType(m, memIndexOf(ins))) === 'i64';
    }
    const k = wide ? 1 : 0;
    let sig = slots[k];
    if (!sig) {
        const resolve = (t: SigType): ValType => (t === 'a' || t === 'A' || t === 'T' ? (wide ? 'i64' : 'i32') : wasmTypeOf(t)!);
        sig = slots[k] = [Object.freeze(op.params.map(resolve).reverse()), Object.freeze(op.results.map(resolve))];
    }
    return sig;
}

/** Memory an instruction addresses (memarg or memory index immediate); 0 when none. */
export function memIndexOf(ins: Instr): number {
    const kinds = ins.op.imms;
    for (let i = 0; i < kinds.length; i++) {
        if (kinds[i] === 'memarg') return (ins.imms[i] as MemArg).memory;
        if (kinds[i] === 'mem') return ins.imms[i] as number;
    }
    return 0;
}

function tableIndexOf(ins: Instr): number {
    const i = ins.op.imms.indexOf('table');
    return i < 0 ? 0 : ins.imms[i] as number;
}
