// The named emitter: OP (op.generated.ts) is derived from the opcode table, ByteWriter.op and
// CodeWriter.op encode every instruction the way the table says, and no code outside server/src/wasm
// writes an opcode as a number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../support/shared.js';
import { OP } from '../../server/src/wasm/op.generated.js';
import { ByteWriter, OPCODES, emitOpcode, opCodeOf, opKey, opOfCode } from '../../server/src/wasm/index.js';
import { CodeWriter } from '../../server/src/engine/emit.js';

test('OP names every row of the opcode table with its code, and nothing else', () => {
    const stale = 'op.generated.ts is out of date: run `npm run opcodes:generate`';
    const ops = OP as Record<string, number>;
    assert.deepEqual(Object.keys(ops).sort(), OPCODES.map(opKey).sort(), stale);
    for (const o of OPCODES) {
        assert.equal(ops[opKey(o)], opCodeOf(o), `${o.name}: ${stale}`);
        assert.equal(opOfCode(opCodeOf(o)), o, `${o.name} is found back from its code`);
    }
    assert.equal(OP.i32_add, 0x6a);
    assert.equal(OP.memory_fill, 0xfc000b);
});

test('ByteWriter.op and CodeWriter.op write the opcode bytes the table gives, prefixed ones included', () => {
    for (const o of OPCODES) {
        const want = new ByteWriter();
        emitOpcode(want, o);
        assert.deepEqual([...new ByteWriter().op(opCodeOf(o)).finish()], [...want.finish()], o.name);
        assert.deepEqual([...new CodeWriter().op(opCodeOf(o)).finish().bytes], [...want.finish()], o.name);
    }
    // Spec encodings: memory.fill is 0xfc 11; i16x8.add is 0xfd 142 (two LEB bytes); i32.atomic.load is 0xfe 0x10.
    assert.deepEqual([...new ByteWriter().op(OP.memory_fill).finish()], [0xfc, 0x0b]);
    assert.deepEqual([...new ByteWriter().op(OP.i16x8_add).finish()], [0xfd, 0x8e, 0x01]);
    assert.deepEqual([...new CodeWriter().op(OP.i32_atomic_load).finish().bytes], [0xfe, 0x10]);
    assert.deepEqual([...new CodeWriter().op(OP.if).blockType().op(OP.end).finish().bytes], [0x04, 0x40, 0x0b]);
    assert.deepEqual([...new CodeWriter().op(OP.block).blockType('f64').finish().bytes], [0x02, 0x7c]);
});

// ---- no raw opcodes outside server/src/wasm ----

/** Files outside server/src/wasm whose byte tables are not WebAssembly instructions. */
const NOT_OPCODES: Record<string, string> = {
    [path.join('mapping', 'dwarf-info.ts')]: 'DWARF attribute and form codes',
};

/**
 * Ways of writing an instruction as a number: a literal given to byte()/op(), an opcode byte written
 * with byte() (prefixed instructions would lose their prefix), and a hex byte used as a value (a
 * constant, an entry of an object or array table, an arm of a conditional) rather than as an operand
 * of a mask, shift or comparison.
 */
export function rawOpcodeUses(text: string): string[] {
    const hits: string[] = [];
    text.split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
        const at = (why: string) => hits.push(`line ${i + 1}: ${why}: ${line.trim()}`);
        if (/\.(byte|op)\(\s*(0x[0-9a-f]+|\d+)\s*\)/i.test(code)) at('a numeric opcode written');
        if (/\.byte\(\s*OP\./.test(code)) at('an instruction written with byte() instead of op()');
        for (const m of code.matchAll(/0x[0-9a-f]{2}\b/gi)) {
            const before = code.slice(0, m.index).trimEnd(), after = code.slice(m.index! + m[0].length).trimStart();
            const valueSlot = /(?:[:[,?]|[^=!<>|&^+\-*/%]=)$/.test(before) || /\.(byte|op)\($/.test(before);
            const ends = after === '' || /^[,\]});:]/.test(after);
            if (valueSlot && ends) at(`${m[0]} used as a value`);
        }
    });
    return hits;
}

function sourcesOutsideWasm(dir: string, rel = ''): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const r = path.join(rel, e.name);
        if (e.isDirectory()) { if (r !== 'wasm' && e.name !== 'generated') out.push(...sourcesOutsideWasm(path.join(dir, e.name), r)); }
        else if (r.endsWith('.ts')) out.push(r);
    }
    return out;
}

test('the scan recognises raw opcodes in the forms they used to take', () => {
    assert.ok(rawOpcodeUses("w.byte(0x46);").length > 0);
    assert.ok(rawOpcodeUses("w.op(OP.if).byte(0x40);").length > 0);
    assert.equal(rawOpcodeUses("w.byte(OP.i32_eq);").length, 1);
    assert.equal(rawOpcodeUses("const I32_EQ = 0x46, I32_OR = 0x72;").length, 2);
    assert.equal(rawOpcodeUses("const OPS = { '+': 0x6a, '/': [0x6d, 0x6e] };").length, 3);
    assert.equal(rawOpcodeUses("w.byte(t === 'f32' ? 0x8c : 0x9a);").length, 2);
    // Masks, shifts, comparisons and LEB arithmetic are not instructions.
    assert.deepEqual(rawOpcodeUses('let b = v & 0x7f; if (v !== 0) b |= 0x80; while (v >= 0x80) v >>>= 7;'), []);
    assert.deepEqual(rawOpcodeUses("w.op(OP.i32_const).s32(0xff).op(OP.i32_and); fill(val & 0xff);"), []);
});

test('no code outside server/src/wasm writes an opcode as a number', () => {
    const src = path.join(PROJECT_ROOT, 'server', 'src');
    const files = sourcesOutsideWasm(src);
    assert.ok(files.some(f => f.startsWith('engine')), 'the scan reads the engine');
    const found: string[] = [];
    for (const f of files) {
        if (NOT_OPCODES[f]) continue;
        for (const h of rawOpcodeUses(fs.readFileSync(path.join(src, f), 'utf8'))) found.push(`${f} ${h}`);
    }
    assert.deepEqual(found, [], 'use OP.<name> with op() (server/src/wasm/op.generated.ts) and blockType()');
});
