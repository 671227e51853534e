// `whamm wast` with the real engine: a wast file written here, expected values by counting calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { runWast } from '../../server/src/wast/harness.js';
import { engineInstrument } from '../../server/src/wast/engine-instrument.js';

const WAST = `;; three calls of $f from the start function
;; @instrument
(module
  (global $g (mut i32) (i32.const 0))
  (func $f (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func $start (call $f) (call $f) (call $f))
  (func (export "get_g") (result i32) (global.get $g))
  (start $start))

;; WHAMM --> var count: i32; wasm:opcode:call:before { count++; }
(assert_return (invoke "get_count") (i32.const 3))
;; @passes_uninstr
(assert_return (invoke "get_g") (i32.const 3))
;; WHAMM --> var count: i32; wasm:opcode:call:before / fid == 99 / { count++; }
(assert_return (invoke "get_count") (i32.const 0))
;; WHAMM --> report var m: map<u32, u32>; var count: u32; wasm:opcode:call:before { m[imm0]++; count = m[imm0] * 10; }
(assert_return (invoke "get_count") (i32.const 30))
;; WHAMM --> var n: u32; wasm:opcode:call:before / target_fn_name.starts_with("f") / { n = n + "abc".len(); }
(assert_return (invoke "get_n") (i32.const 9))
(assert_return (invoke "get_n") (i32.const 10))
;; WHAMM --> this is not a script
(assert_return (invoke "get_count") (i32.const 0))
`;

test('wast with the engine: counts, a map, folded strings; wrong expectations and bad scripts fail with their line', async () => {
    const r = await runWast(WAST, 'calls.wast', { instrument: engineInstrument() });
    assert.equal(r.passed, 5, r.failures.join('\n'));
    assert.equal(r.failed, 2);
    assert.match(r.failures[0], /^calls\.wast:20: .*expected i32:10, got i32:9/);
    assert.match(r.failures[1], /^calls\.wast:21: WHAMM --> this is not a script: instrumentation failed/);
});
