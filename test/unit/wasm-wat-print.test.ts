// WAT printer: instruction text from the opcode table, names from the name section, exact float bits, and
// a round trip on every bench app: print, parse back with wabt, re-encode, and compare every function's
// decoded instructions (opcodes and immediates) and locals with the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { wat } from '../support/wat.js';
import { SKIP_NO_SHARED, listFiles, sharedPath } from '../support/shared.js';
import { bodyLocals, decodeBody, decodeModule, type Imm, type WasmModule } from '../../server/src/wasm/index.js';
import { WatNames, printFunc, printModule, sanitizeId } from '../../server/src/wasm/wat-print.js';

/** Every defined function as [locals, instructions] with immediates normalised (floats as their bytes). */
function shape(m: WasmModule): unknown[] {
    return m.bodies.map((b) => {
        const d = decodeBody(m, b.func);
        const instrs = d.instrs.map((i) => {
            if (i.op.name === 'f32.const' || i.op.name === 'f64.const') return [i.op.name, Array.from(m.bytes.subarray(i.end - (i.op.name === 'f32.const' ? 4 : 8), i.end))];
            return [i.op.name, i.imms.map(normImm)];
        });
        return [m.funcTypes[b.func], bodyLocals(m, b).locals, instrs];
    });
}
function normImm(v: Imm): unknown {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Array.from(v);
    return v;
}

test('instructions print with text-format names and immediates; names from the name section', async () => {
    const m = decodeModule(await wat(`(module
      (type $t (func (param i32) (result i32)))
      (memory 1) (table 2 funcref)
      (func $add.one (type $t) (local i64 f32)
        block (result i32)
          local.get 0
          i32.load offset=8 align=1
          br_if 0
          i32.const -7
          local.get 0
          i32.const 1
          select (result i32)
        end
        call $add.one
        f32.const nan:0x123
        f32.const -0
        f64.const 1.5
        local.set 1 drop drop
        local.get 0 call_indirect (type $t)
        i64.const -9223372036854775808 drop
        memory.size drop
        ref.null func drop
      ))`));
    const p = printFunc(m, 0);
    assert.equal(p.header, '(func $add.one (;0;) (type 0) (param i32) (result i32)');
    assert.deepEqual(p.locals, ['(local i64 f32)']);
    const lines = p.instrs.map((i) => `${' '.repeat(i.depth)}${i.text}`);
    assert.deepEqual(lines.slice(0, 8), [
        ' block (result i32)', '  local.get 0', '  i32.load offset=8 align=1', '  br_if 0', '  i32.const -7', '  local.get 0',
        '  i32.const 1', '  select (result i32)',
    ]);
    assert.deepEqual(lines.slice(8), [
        ' end', ' call $add.one', ' f32.const nan:0x123', ' f32.const -0', ' f64.const 1.5', ' local.set 1', ' drop', ' drop',
        ' local.get 0', ' call_indirect (type 0)', ' i64.const -9223372036854775808', ' drop', ' memory.size', ' drop',
        ' ref.null func', ' drop', 'end',
    ]);
    // pc and opidx are the decoder's.
    const d = decodeBody(m, 0);
    assert.deepEqual(p.instrs.map((i) => [i.pc, i.opidx]), d.instrs.map((i) => [i.pc, i.opidx]));
});

test('names are sanitised to identifier characters and kept unique', () => {
    assert.equal(sanitizeId('std::vector<int> (x)'), 'std::vector<int>__x_');
    const names = new WatNames({ names: { funcs: new Map([[0, 'a b'], [1, 'a_b'], [2, 'a(b']]), locals: new Map() } } as unknown as WasmModule);
    assert.deepEqual([names.func(0), names.func(1), names.func(2), names.func(3)], ['$a_b', '$a_b.1', '$a_b.2', '3']);
});

test('a small module round-trips through the text format', async () => {
    const src = `(module
      (import "env" "f" (func $f (param i32)))
      (global $g (mut i64) (i64.const 5))
      (memory 1 2) (table 1 funcref)
      (elem (i32.const 0) func $main)
      (data (i32.const 16) "hi\\00\\ff")
      (func $main (export "main") (param i32) (result i32)
        loop $l
          local.get 0
          if
            i32.const 1 call $f
          else
            br 1
          end
          global.get $g drop
        end
        i32.const 3 i32.const 4 i32.const 5 br_table 0 0 0
        unreachable))`;
    const m = decodeModule(await wat(src));
    const back = decodeModule(await wat(printModule(m)));
    assert.deepEqual(shape(back), shape(m));
    assert.equal(back.exports[0].name, 'main');
    assert.deepEqual(Array.from(back.bytes.subarray(back.data[0].data.start, back.data[0].data.end)), [0x68, 0x69, 0, 0xff]);
});

test('every bench app round-trips: print, parse with wabt, same code', { skip: SKIP_NO_SHARED, timeout: 600_000 }, async () => {
    const apps = listFiles(sharedPath('bench', 'apps'), '.wasm');
    assert.ok(apps.length > 0, 'no bench apps');
    for (const app of apps) {
        const m = decodeModule(new Uint8Array(fs.readFileSync(app)));
        const back = decodeModule(await wat(printModule(m), false));
        assert.equal(back.bodies.length, m.bodies.length, app);
        assert.deepEqual(shape(back), shape(m), app);
    }
});
