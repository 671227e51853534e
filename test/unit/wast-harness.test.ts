// The wast harness on its own: reader, file structure, constants, and runs with stand-in instrumentation
// (so these tests do not depend on the engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { readSExprs, stringText } from '../../server/src/wast/sexpr.js';
import { parseWastFile } from '../../server/src/wast/wast-file.js';
import { parseFloatLiteral, parseIntLiteral, matches, parseExpected } from '../../server/src/wast/values.js';
import { runWast, type InstrumentFn } from '../../server/src/wast/harness.js';
import { runWastFiles } from '../../server/src/wast/command.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';
import { listFiles, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';

test('reader: nested block comments, line comments, string escapes, lines', () => {
    const r = readSExprs('(a (; x (; y ;) z ;) "q\\n\\41\\u{263a}")\n;; note\n(b)');
    assert.equal(r.forms.length, 2);
    const a = r.forms[0];
    assert.equal(a.kind, 'list');
    if (a.kind !== 'list') return;
    assert.equal(a.items.length, 2);
    assert.equal(stringText(a.items[1]), 'q\nA\u263a');
    assert.deepEqual(r.comments.map(c => [c.line, c.text]), [[2, ' note']]);
    assert.equal(r.forms[1].line, 3);
    assert.throws(() => readSExprs('(a'), /line 1/);
    assert.throws(() => readSExprs('(a))'), /unexpected/);
});

const FILE = `
(module (func (export "f") (result i32) i32.const 1))
(register "aux")
;; @instrument
(module $m
  (import "aux" "f" (func $f (result i32)))
  (func (export "g") (result i32) call $f))
;; WHAMM --> var a: i32; wasm:opcode:call:before { a++; }
;; @passes_uninstr
(assert_return (invoke "g") (i32.const 1))
(assert_return (invoke "get_a") (i32.const 1))
;;;; WHAMM --> commented out
;;(assert_return (invoke "g") (i32.const 99))
;; WHAMM --> second
;; @passes_uninstr
(assert_trap (invoke "g") "unreachable")
`;

test('file structure: setup, target, cases, @passes_uninstr applies to the next assertion only, comments inactive', () => {
    const f = parseWastFile(FILE);
    assert.equal(f.setup.length, 2);
    assert.deepEqual(f.setup.map(s => s.kind), ['module', 'register']);
    assert.equal(f.target.name, '$m');
    assert.equal(f.target.line, 5);
    assert.deepEqual(f.cases.map(c => c.script), ['var a: i32; wasm:opcode:call:before { a++; }', 'second']);
    assert.deepEqual(f.cases[0].assertions.map(a => [a.line, a.passesUninstr]), [[10, true], [11, false]]);
    assert.deepEqual(f.cases[1].assertions.map(a => [a.line, a.passesUninstr]), [[16, true]]);
});

test('file structure errors name the line', () => {
    assert.throws(() => parseWastFile('(module)\n(module)\n;; WHAMM --> x\n'), /no module is marked/);
    assert.throws(() => parseWastFile(';; @instrument\n(module)\n(module)'), /line 3/);
    assert.throws(() => parseWastFile(';; @instrument\n(module)\n(frobnicate)'), /line 3: unsupported command/);
});

test('constants: integer wrap, hex and float forms', () => {
    assert.equal(parseIntLiteral('0xffff_ffff', 32), -1n);
    assert.equal(parseIntLiteral('-0x1', 64), -1n);
    assert.equal(parseIntLiteral('4294967296', 32), 0n);
    assert.equal(parseFloatLiteral('0x1.8p3', false), 12);
    assert.equal(parseFloatLiteral('-0x.8p-1', false), -0.25);
    assert.equal(parseFloatLiteral('1e3', true), 1000);
    assert.equal(parseFloatLiteral('0.1', true), Math.fround(0.1));
    assert.ok(Object.is(parseFloatLiteral('-0', false), -0));
    assert.equal(parseFloatLiteral('-inf', false), -Infinity);
    assert.ok(Number.isNaN(parseFloatLiteral('nan:0x200000', true)));
    const [e] = readSExprs('(f32.const nan:canonical)').forms;
    assert.ok(matches(parseExpected(e), NaN));
    assert.ok(!matches(parseExpected(e), 1));
    const [z] = readSExprs('(f64.const 0)').forms;
    assert.ok(!matches(parseExpected(z), -0), '-0 is not +0');
    const [i] = readSExprs('(i32.const 0xffffffff)').forms;
    assert.ok(matches(parseExpected(i), -1));
});

// A stand-in for the engine: instead of rewriting the app it swaps in a module that re-exports the
// app's behaviour and adds `get_<var>` returning the number the "script" names (script "x=5" -> get_x = 5).
const APP = `(module
  (import "aux" "f" (func $f (result i32)))
  (global $g (mut i32) (i32.const 0))
  (func $start (global.set $g (call $f)))
  (func (export "get_global") (result i32) global.get $g)
  (func (export "boom") unreachable)
  (start $start))`;

const fakeInstrument: InstrumentFn = async (_app, script) => {
    const m = /^(\w+)=(-?\d+)$/.exec(script.trim());
    if (!m) throw new Error(`cannot compile script: ${script}`);
    // The extra import proves the harness links what the instrumentation says it needs.
    const wat = APP.replace('(module', '(module (import "whamm:rt" "k" (func $k (result i32)))')
        .replace(/\(start \$start\)\)$/, `(func (export "get_${m[1]}") (result i32) (i32.add (call $k) (i32.const ${m[2]})))
      (start $start))`);
    return { bytes: await watToWasm(wat), imports: { 'whamm:rt': { k: () => 0 } } };
};

const TEST = `;; aux
(module (func (export "f") (result i32) i32.const 41))
(register "aux")
;; @instrument
${APP}
;; WHAMM --> x=5
;; @passes_uninstr
(assert_return (invoke "get_global") (i32.const 41))
(assert_return (invoke "get_x") (i32.const 5))
(assert_return (invoke "get_x") (i32.const 6))
;; WHAMM --> bad script
(assert_return (invoke "get_x") (i32.const 5))
(assert_return (invoke "get_x") (i32.const 5))
;; WHAMM --> y=-1
(assert_trap (invoke "boom") "unreachable")
(assert_return (invoke "get_y") (i32.const 0xffffffff))
(assert_trap (invoke "get_y") "unreachable")
`;

test('runs each case on its instrumented module and reports each failure with its line', async () => {
    const r = await runWast(TEST, 't.wast', { instrument: fakeInstrument });
    // case 1: 2 pass, 1 fails (line 16); case 2: script rejected, its 2 assertions fail; case 3: 2 pass, 1 fails.
    assert.equal(r.passed, 4);
    assert.equal(r.failed, 4);
    assert.equal(r.failures.length, 3);
    assert.match(r.failures[0], /^t\.wast:16: \(assert_return \(invoke "get_x"\) \(i32\.const 6\)\) .*expected i32:6, got i32:5$/);
    assert.match(r.failures[1], /^t\.wast:17: WHAMM --> bad script: instrumentation failed: .*cannot compile script.*2 assertion/);
    assert.match(r.failures[2], /^t\.wast:23: .*expected a trap.*got i32:-1/);
});

test('checkOriginal: @passes_uninstr must hold on the original, other assertions must fail there', async () => {
    const identity: InstrumentFn = b => b;
    const src = `;; @instrument
(module (global $g (mut i32) (i32.const 3)) (func (export "get_global") (result i32) global.get $g))
;; WHAMM --> whatever
;; @passes_uninstr
(assert_return (invoke "get_global") (i32.const 3))
(assert_return (invoke "get_count") (i32.const 1))
;; @passes_uninstr
(assert_return (invoke "get_global") (i32.const 4))
(assert_return (invoke "get_global") (i32.const 3))
`;
    const r = await runWast(src, 'o.wast', { instrument: identity, checkOriginal: true });
    const orig = r.failures.filter(l => l.includes('[original module'));
    assert.equal(orig.length, 2);
    assert.match(orig[0], /^o\.wast:8: .*@passes_uninstr\]: expected i32:4, got i32:3/);
    assert.match(orig[1], /^o\.wast:9: .*tests nothing/);
});

test('command: prints failures and the summary line, exit code', async () => {
    const dir = fs.mkdtempSync('/tmp/whamm-wast-');
    const file = `${dir}/t.wast`;
    fs.writeFileSync(file, TEST);
    let out = '';
    const code = await runWastFiles({ files: [file], instrument: fakeInstrument, stdout: t => { out += t; } });
    assert.equal(code, 1);
    const lines = out.trim().split('\n');
    assert.equal(lines[lines.length - 1], '4 passed, 4 failed');
    assert.equal(lines.filter(l => l.startsWith('FAIL ')).length, 3);
    fs.writeFileSync(file, TEST.split(';; WHAMM --> bad')[0].replace('(i32.const 6)', '(i32.const 5)'));
    out = '';
    assert.equal(await runWastFiles({ files: [file], instrument: fakeInstrument, stdout: t => { out += t; } }), 0);
    assert.equal(out, '3 passed, 0 failed\n');
    assert.equal(await runWastFiles({ files: [`${dir}/missing.wast`], instrument: fakeInstrument, stdout: () => undefined, stderr: () => undefined }), 2);
    fs.rmSync(dir, { recursive: true });
});

test('corpus: every wast file reads, and every active assertion is found', { skip: SKIP_NO_SHARED }, async () => {
    const files = listFiles(sharedPath('conformance', 'wast'), '.wast');
    assert.ok(files.length > 20);
    for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        const f = parseWastFile(text);
        // Independent count: active assertions start a line; commented-out ones start with ';;'.
        const expected = text.split('\n').filter(l => l.startsWith('(assert_')).length;
        assert.equal(f.baseline.length + f.cases.reduce((n, c) => n + c.assertions.length, 0), expected, file);
        assert.equal(f.cases.length, text.split('\n').filter(l => l.startsWith(';; WHAMM -->')).length, file);
    }
});

test('corpus with identity instrumentation: @passes_uninstr assertions mostly hold on the original', { skip: SKIP_NO_SHARED }, async () => {
    // The reference's harness never runs the @passes_uninstr assertions themselves (it only leaves them out
    // of its must-fail runs), and a handful in its corpus do not hold on the original. Everything else must.
    let held = 0, broke = 0;
    for (const file of listFiles(sharedPath('conformance', 'wast'), '.wast')) {
        const r = await runWast(fs.readFileSync(file, 'utf8'), file, { instrument: b => b, checkOriginal: true });
        broke += r.failures.filter(l => l.includes('@passes_uninstr]')).length;
        held += fs.readFileSync(file, 'utf8').split('\n').filter(l => l.startsWith(';; @passes_uninstr')).length;
    }
    held -= broke;
    assert.ok(held > 150, `only ${held} @passes_uninstr assertions held`);
    assert.ok(broke <= held / 50, `${broke} @passes_uninstr assertions failed on the original module`);
});
