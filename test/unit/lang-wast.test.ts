// `whamm wast FILE.wast` as a user runs it (the CLI in a child process) on wast files written here: the
// output format (one FAIL line per failure naming file:line, a last line `N passed, M failed`) and the exit
// codes (0 all passed, 1 a failure, 2 an unreadable file). Expected values are counted from the module.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wat } from '../fixtures/lang/harness.js';
import { whamm } from '../support/cli.js';


// The start function runs f(1) = 1 + 7 = 8 and f(8) = 15: calls $f twice and $seven (imported from the
// registered "aux" module) twice, so 4 calls, two of them with an i32 argument (1 and 8).
const MODULE = `(module (func (export "seven") (result i32) i32.const 7))
(register "aux")

;; @instrument
(module
  (import "aux" "seven" (func $seven (result i32)))
  (global $g (mut i32) (i32.const 0))
  (func $f (param i32) (result i32) (i32.add (local.get 0) (call $seven)))
  (func $start
    (global.set $g (call $f (i32.const 1)))
    (global.set $g (call $f (global.get $g))))
  (func (export "run") (param i32) (result i32) (call $f (local.get 0)))
  (func (export "boom") unreachable)
  (func (export "get_g") (result i32) (global.get $g))
  (start $start))
`;

const PASSING = `${MODULE}
;; WHAMM --> var count: i32; wasm:opcode:call:before { count++; }
(assert_return (invoke "get_count") (i32.const 4))
;; @passes_uninstr
(assert_return (invoke "get_g") (i32.const 15))
(assert_return (invoke "run" (i32.const 2)) (i32.const 9))
(assert_trap (invoke "boom") "unreachable")
(assert_return (invoke "get_count") (i32.const 6))

;; WHAMM --> var total: i64; wasm:opcode:call(arg0: i32):before { total = total + (arg0 as i64) * 1000000000000; }
(assert_return (invoke "get_total") (i64.const 9000000000000))

;; WHAMM --> var m: map<str, u32>; var n: u32; wasm:opcode:call:before { m[target_fn_name]++; n = m["seven"] * 10 + m["f"]; }
(assert_return (invoke "get_n") (i32.const 22))

;; WHAMM --> var h: f64; wasm:opcode:call:before { h = h + 0.5; }
(assert_return (invoke "get_h") (f64.const 2))

;; WHAMM --> use lib; var v: i32; wasm:opcode:call:before / target_fn_name == "seven" / { v = lib.add(v, 10); }
(assert_return (invoke "get_v") (i32.const 20))
`;

// A wrong expectation (4 calls, not 5) and a script that does not compile.
const FAILING = `${MODULE}
;; WHAMM --> var count: i32; wasm:opcode:call:before { count++; }
(assert_return (invoke "get_count") (i32.const 5))
;; @passes_uninstr
(assert_return (invoke "get_g") (i32.const 15))
;; WHAMM --> var count: i32; wasm:opcode:call:before { count = ; }
(assert_return (invoke "get_count") (i32.const 4))
`;

const LIB = `(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`;

let dir: string;
async function setup(): Promise<string> {
    if (dir) return dir;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-wast-cli-'));
    fs.writeFileSync(path.join(dir, 'good.wast'), PASSING);
    fs.writeFileSync(path.join(dir, 'bad.wast'), FAILING);
    fs.writeFileSync(path.join(dir, 'broken.wast'), ';; @instrument\n(module\n  (func (export "f")\n');
    fs.writeFileSync(path.join(dir, 'lib.wasm'), await wat(LIB));
    return dir;
}

test('all assertions hold: only the summary line, exit 0', async () => {
    const cwd = await setup();
    const r = whamm(['wast', 'good.wast', '--user-libs', 'lib=lib.wasm'], cwd);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out, '9 passed, 0 failed\n');
});

test('a wrong expectation and a bad script: one FAIL line each with file:line, the summary, exit 1', async () => {
    const cwd = await setup();
    const r = whamm(['wast', 'bad.wast'], cwd);
    assert.equal(r.code, 1, r.out + r.err);
    const lines = r.out.trim().split('\n');
    assert.equal(lines[lines.length - 1], '1 passed, 2 failed');
    const fails = lines.filter(l => l.startsWith('FAIL '));
    assert.equal(fails.length, 2, r.out);
    const lineOf = (needle: string) => FAILING.split('\n').findIndex(l => l.includes(needle)) + 1;
    assert.ok(fails[0].startsWith(`FAIL bad.wast:${lineOf('(i32.const 5)')}: `), fails[0]);
    assert.match(fails[0], /expected i32:5, got i32:4/);
    assert.ok(fails[1].startsWith(`FAIL bad.wast:${lineOf('count = ;')}: `), fails[1]);
});

test('a library the scripts use but the command is not given fails the case, not the run', async () => {
    const cwd = await setup();
    const r = whamm(['wast', 'good.wast'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.out, /^8 passed, 1 failed$/m);
    assert.match(r.out, /^FAIL good\.wast:\d+: .*lib/m);
});

test('an unreadable or malformed file is an input error, reported with its name', async () => {
    const cwd = await setup();
    const missing = whamm(['wast', 'nosuch.wast'], cwd);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nosuch\.wast/);
    const broken = whamm(['wast', 'broken.wast'], cwd);
    assert.notEqual(broken.code, 0);
    assert.match(broken.out + broken.err, /broken\.wast/);
    assert.match(broken.out + broken.err, /line \d+|:\d+/);
});

after(() => { if (dir) fs.rmSync(dir, { recursive: true }); });
