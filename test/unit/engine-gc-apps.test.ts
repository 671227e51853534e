// Apps with typed function references and GC (SPEC: "Typed references"): call_ref, return_call_ref, typed
// ref.func, br_on_null/br_on_non_null and struct/array instructions decode, type, instrument (with and
// without probes on them), validate and run. Node 20 cannot run final-spec GC: `whamm run`/`wast`/`coverage`
// rerun such modules in Node 22 (.ci/setup-node22.sh), and say so when no Node 22 is available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { decodeModule, decodeBody, typeBody } from '../../server/src/wasm/index.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { findCapableNode, MIN_NODE_MAJOR } from '../../server/src/runner/capable-node.js';
import { whamm } from '../support/cli.js';

// _start adds: tail(double, 21) = 42, maybe(double) = 10, maybe(null) = -1, nonnull(double) = 1,
// nonnull(null) = 0, points() = 10 + 4, arrays() = 9 + 4: 79, else it traps.
const GC_APP = `(module
  (type $unop (func (param i32) (result i32)))
  (type $point (struct (field $x (mut i32)) (field $y i32)))
  (type $arr (array (mut i32)))
  (global $fp (mut (ref null $unop)) (ref.null $unop))
  (func $double (type $unop) (i32.mul (local.get 0) (i32.const 2)))
  (func $tail (param $f (ref $unop)) (param $v i32) (result i32)
    (return_call_ref $unop (local.get $v) (local.get $f)))
  (func $maybe (param $f (ref null $unop)) (result i32)
    (block $none
      (return (call_ref $unop (i32.const 5) (br_on_null $none (local.get $f)))))
    (i32.const -1))
  (func $nonnull (param $f (ref null $unop)) (result i32)
    (block $has (result (ref $unop))
      (br_on_non_null $has (local.get $f))
      (return (i32.const 0)))
    (drop)
    (i32.const 1))
  (func $points (result i32)
    (local $p (ref null $point))
    (local.set $p (struct.new $point (i32.const 3) (i32.const 4)))
    (struct.set $point $x (local.get $p) (i32.const 10))
    (i32.add (struct.get $point $x (local.get $p)) (struct.get $point $y (local.get $p))))
  (func $arrays (result i32)
    (local $a (ref null $arr))
    (local.set $a (array.new $arr (i32.const 7) (i32.const 4)))
    (array.set $arr (local.get $a) (i32.const 1) (i32.const 9))
    (i32.add (array.get $arr (local.get $a) (i32.const 1)) (array.len (local.get $a))))
  (func (export "_start")
    (local $r i32)
    (global.set $fp (ref.func $double))
    (local.set $r (call $tail (ref.func $double) (i32.const 21)))
    (local.set $r (i32.add (local.get $r) (call $maybe (global.get $fp))))
    (local.set $r (i32.add (local.get $r) (call $maybe (ref.null $unop))))
    (local.set $r (i32.add (local.get $r) (call $nonnull (global.get $fp))))
    (local.set $r (i32.add (local.get $r) (call $nonnull (ref.null $unop))))
    (local.set $r (i32.add (local.get $r) (call $points)))
    (local.set $r (i32.add (local.get $r) (call $arrays)))
    (if (i32.ne (local.get $r) (i32.const 79)) (then unreachable)))
  (elem declare func $double))`;

/** Final-spec GC text -> binary (wabt does not parse GC; binaryen, a dev dependency, does). */
async function gcWat(text: string): Promise<Uint8Array> {
    const binaryen = (await import('binaryen')).default;
    const m = binaryen.parseText(text);
    try {
        m.setFeatures(binaryen.Features.All);
        assert.ok(m.validate(), 'the fixture is valid');
        return m.emitBinary();
    } finally {
        m.dispose();
    }
}

const NODE22 = findCapableNode();
const SKIP_NO_NODE22 = NODE22 ? false : `no Node ${MIN_NODE_MAJOR}+ found (bash .ci/setup-node22.sh installs one in .cache/node-22); skipping runs of GC apps`;

/** Validates and runs `bytes` (exports _start, no imports besides the ones given) in Node 22. */
function inNode22(bytes: Uint8Array): { ok: boolean; out: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gc-'));
    try {
        const file = path.join(dir, 'm.wasm');
        fs.writeFileSync(file, bytes);
        const r = spawnSync(NODE22!.path, ['-e', `const b = require('fs').readFileSync(${JSON.stringify(file)});
if (!WebAssembly.validate(b)) { console.log('invalid'); process.exit(1); }
console.log('valid');`], { encoding: 'utf8' });
        return { ok: r.status === 0, out: r.stdout + r.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
}

const OPS = ['call_ref', 'return_call_ref', 'ref.func', 'br_on_null', 'br_on_non_null', 'struct.new', 'struct.get', 'struct.set', 'array.new', 'array.get', 'array.set', 'array.len'];

test('the GC app decodes with every opcode under test, and typing gives their operands typed references', async () => {
    const m = decodeModule(await gcWat(GC_APP));
    const seen = new Set<string>();
    const operands = new Map<string, string[]>();
    for (let f = 0; f < m.funcTypes.length; f++) {
        const body = decodeBody(m, f);
        const typed = typeBody(m, f);
        body.instrs.forEach((ins, i) => {
            seen.add(ins.op.name);
            if (!operands.has(ins.op.name)) operands.set(ins.op.name, [...typed.operands[i]]);
        });
    }
    for (const op of OPS) assert.ok(seen.has(op), `the fixture uses ${op}`);
    assert.deepEqual(operands.get('call_ref'), ['(ref 0)', 'i32'], 'arg0 is the typed function reference');
    assert.deepEqual(operands.get('br_on_null'), ['(ref null 0)']);
    assert.deepEqual(operands.get('struct.set'), ['i32', '(ref null 1)']);
    assert.deepEqual(operands.get('array.get'), ['i32', '(ref null 2)']);
    // binaryen writes `ref.null $unop` with the bottom heap type of functions.
    const start = m.funcTypes.length - 1;
    const t = typeBody(m, start);
    const i = t.instrs.findIndex(x => x.op.name === 'ref.null');
    assert.deepEqual([...t.results[i]], ['nullfuncref']);
});

const COUNTS = `report var n_call_ref: u32;
report var n_rcr: u32;
report var n_null: u32;
report var n_nonnull: u32;
report var n_struct: u32;
report var n_array: u32;
report var n_reffunc: u32;
report var after_br: u32;
report var ref_args: i32;
report var ref_after: i32;
report var set_values: i32;
wasm:opcode:call_ref:before { n_call_ref++; }
wasm:opcode:return_call_ref:before { n_rcr++; }
wasm:opcode:br_on_null:before { n_null++; }
wasm:opcode:br_on_non_null:before { n_nonnull++; }
wasm:opcode:struct.*:before { n_struct++; }
wasm:opcode:array.*:after { n_array++; }
wasm:opcode:ref.func:before { n_reffunc++; }
wasm:opcode:br_on_null|br_on_non_null:after { after_br++; }
wasm:opcode:call_ref(arg1: i32):before { ref_args = ref_args + arg1; }
wasm:opcode:return_call_ref(arg1: i32):before { ref_args = ref_args + arg1; }
wasm:opcode:call_ref(arg1: i32):after { ref_after = ref_after + arg1; }
wasm:opcode:struct.set(arg0: i32):before { set_values = set_values + arg0; }
wasm:opcode:array.set(arg0: i32, arg1: i32):before { set_values = set_values + arg0 * 100 + arg1; }
`;

test('probes on each typed-reference and GC opcode: the output validates and the counts are exact (in Node 22)', { skip: SKIP_NO_NODE22 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gc-'));
    try {
        fs.writeFileSync(path.join(dir, 'gc.wasm'), await gcWat(GC_APP));
        fs.writeFileSync(path.join(dir, 'counts.mm'), COUNTS);
        const i = whamm(['instr', '--app', 'gc.wasm', '--script', 'counts.mm', '-o', 'out.wasm'], dir);
        assert.equal(i.code, 0, i.err);
        assert.equal(i.err, '', 'every probe is injected');
        assert.ok(inNode22(fs.readFileSync(path.join(dir, 'out.wasm'))).ok);
        const r = whamm(['run', 'out.wasm'], dir);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /lacks WebAssembly .*running in Node 2\d/, 'says where it runs');
        const value = (name: string) => new RegExp(`, ${name}, u32, i32, script0, , , , , (\\d+)$`, 'm').exec(r.out)?.[1];
        assert.equal(value('n_call_ref'), '1');
        assert.equal(value('n_rcr'), '1');
        assert.equal(value('n_null'), '2');
        assert.equal(value('n_nonnull'), '2');
        assert.equal(value('n_struct'), '4', 'struct.new, struct.set, two struct.get');
        assert.equal(value('n_array'), '4', 'array.new, array.set, array.get, array.len');
        assert.equal(value('n_reffunc'), '2');
        // Falling through: br_on_null with a function (1 of 2), br_on_non_null with null (1 of 2).
        assert.equal(value('after_br'), '2');
        // The i32 under the typed function reference: 21 (return_call_ref) + 5 (call_ref).
        assert.match(r.out, /, ref_args, i32, i32, script0, , , , , 26$/m);
        // After call_ref, its operands as it received them (the reference held across the call).
        assert.match(r.out, /, ref_after, i32, i32, script0, , , , , 5$/m);
        // struct.set stores 10; array.set stores 9 at index 1.
        assert.match(r.out, /, set_values, i32, i32, script0, , , , , 911$/m);
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

test('probes elsewhere leave the GC instructions as they are; the app runs unchanged (in Node 22)', { skip: SKIP_NO_NODE22 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gc-'));
    try {
        const app = await gcWat(GC_APP);
        fs.writeFileSync(path.join(dir, 'gc.wasm'), app);
        fs.writeFileSync(path.join(dir, 'entries.mm'), 'report var entries: u32;\nwasm:func:entry { entries++; }\n');
        const { bytes } = await instrument({ app, script: 'report var entries: u32;\nwasm:func:entry { entries++; }\n' });
        const names = (b: Uint8Array) => {
            const m = decodeModule(b);
            return Array.from({ length: m.funcTypes.length }, (_, f) => decodeBody(m, f).instrs.map(x => x.op.name).filter(n => OPS.includes(n))).flat();
        };
        assert.deepEqual(names(bytes), names(app), 'the GC instructions are all still there, in order');
        const i = whamm(['instr', '--app', 'gc.wasm', '--script', 'entries.mm', '-o', 'out.wasm'], dir);
        assert.equal(i.code, 0, i.err);
        const r = whamm(['run', 'out.wasm'], dir);
        assert.equal(r.code, 0, r.err);
        // _start, tail, double (by return_call_ref), maybe x2, double (call_ref), nonnull x2, points, arrays.
        assert.match(r.out, /, entries, u32, i32, script0, , , , , 10$/m);
        const original = whamm(['run', 'gc.wasm'], dir);
        assert.equal(original.code, 0, original.err);
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

test('whamm wast and coverage run GC modules in Node 22 too', { skip: SKIP_NO_NODE22 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gc-'));
    try {
        const app = await gcWat(GC_APP.replace('(func (export "_start")', '(func (export "run")'));
        fs.writeFileSync(path.join(dir, 'gc.wasm'), app);
        const escaped = Array.from(app, b => `\\${b.toString(16).padStart(2, '0')}`).join('');
        fs.writeFileSync(path.join(dir, 'gc.wast'), `;; @instrument
(module binary "${escaped}")

;; WHAMM --> var count: i32; wasm:opcode:call_ref|return_call_ref:before { count++; }
(assert_return (invoke "run"))
(assert_return (invoke "get_count") (i32.const 2))
`);
        const w = whamm(['wast', 'gc.wast'], dir);
        assert.equal(w.code, 0, w.out + w.err);
        assert.match(w.out, /^2 passed, 0 failed$/m);
        fs.writeFileSync(path.join(dir, 'gc.wasm'), await gcWat(GC_APP));
        const cov = whamm(['coverage', '--app', 'gc.wasm', '--json', 'cov.json'], dir);
        assert.equal(cov.code, 0, cov.err);
        assert.ok(fs.existsSync(path.join(dir, 'cov.json')));
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

test('without a Node that runs GC, whamm run says so in one line (exit 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gc-'));
    try {
        fs.writeFileSync(path.join(dir, 'gc.wasm'), await gcWat(GC_APP));
        const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('server/src/cli/main.ts'), 'run', path.join(dir, 'gc.wasm')], {
            encoding: 'utf8', env: { ...process.env, WHAMM_CLI_MAIN: '1', WHAMM_NODE: 'none' },
        });
        if (Number(process.versions.node.split('.')[0]) >= MIN_NODE_MAJOR) {
            assert.equal(r.status, 0, r.stderr); // this Node runs it itself
            return;
        }
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /^whamm run: this module needs WebAssembly garbage collection.*Node 22\+/m);
        assert.equal(r.stderr.trim().split('\n').length, 1);
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});
