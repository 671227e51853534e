// Strings as values (SPEC: "Types and expressions", "Strings"): every member and method (`len`, `addr`,
// `starts_with`, `ends_with`, `contains`) on literals, globals and strings read at run time; strings handed
// to a library by copying their bytes into its memory (memcpy from `s.addr()`); global string initialisers;
// read_str/write_str across the app's and libraries' memories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { run, value, wat } from '../fixtures/lang/harness.js';

// A library with a memory and a byte-summing function: what it receives is what was copied into it.
const LIB = `(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (func (export "mem_alloc") (param i32) (result i32) (local $p i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.add (global.get $top) (local.get 0)))
    (local.get $p))
  (func (export "first") (param i32 i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "sum") (param i32 i32) (result i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 1)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get 0))))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get $acc)))`;

const APP = `(module (memory (export "memory") 1) (data (i32.const 16) "wasm text") (func $f) (func (export "_start") (call $f) (call $f)))`;

test('s.addr(): memcpy copies a string into a library memory, where the library reads it', async () => {
    const userLibs = new Map([['box', await wat(LIB)]]);
    const r = await run(APP, `
use box;
report var sum: i32;
report var first: i32;
report var back: str;
wasm:opcode:call:before {
    var s: str = "AB\\x01";
    var p: i32 = box.mem_alloc(s.len() as i32);
    memcpy(APP_MEMID, s.addr(), memid(box), p as u32, s.len());
    sum = box.sum(p, s.len() as i32);
    first = box.first(p, 1);
    back = read_str(memid(box), p as u32, s.len());
}`, userLibs);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'sum'), String(65 + 66 + 1));
    assert.equal(value(r.rows, 'first'), '65');
    assert.equal(value(r.rows, 'back'), 'AB\u0001');
});

test('s.addr() of different strings are different, of the same string the same; read_str and strcmp read there', async () => {
    const r = await run(APP, `
report var same: bool;
report var differ: bool;
report var part: str;
report var cmp: bool;
wasm:opcode:call:before {
    var a: str = "hello";
    var b: str = "world";
    same = a.addr() == "hello".addr();
    differ = a.addr() != b.addr();
    part = read_str(APP_MEMID, b.addr() + 1, 3);
    cmp = strcmp((a.addr(), a.len()), "hello");
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'same'), 'true');
    assert.equal(value(r.rows, 'differ'), 'true');
    assert.equal(value(r.rows, 'part'), 'orl');
    assert.equal(value(r.rows, 'cmp'), 'true');
});

test('global string initialisers: literals, other globals, methods and read_str at start-up', async () => {
    const r = await run(APP, `
report var g: str = "global";
report var h: str = g;
report var n: u32 = g.len();
report var read: str = read_str(APP_MEMID, 16, 4);
report var sw: bool = g.starts_with("glo");
report var ew: bool = read.ends_with("sm");
report var ct: bool = h.contains("oba");
report var nope: bool = h.contains("xyz");
wasm:opcode:call:before { }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'g'), 'global');
    assert.equal(value(r.rows, 'h'), 'global');
    assert.equal(value(r.rows, 'n'), '6');
    assert.equal(value(r.rows, 'read'), 'wasm');
    assert.equal(value(r.rows, 'sw'), 'true');
    assert.equal(value(r.rows, 'ew'), 'true');
    assert.equal(value(r.rows, 'ct'), 'true');
    assert.equal(value(r.rows, 'nope'), 'false');
});

test('every method on a string read at run time, and on its copy in another memory', async () => {
    const userLibs = new Map([['box', await wat(LIB)]]);
    const r = await run(APP, `
use box;
report var len: u32;
report var sw: bool;
report var ew: bool;
report var ct: bool;
report var copied: str;
report var equal: bool;
wasm:opcode:call:before {
    var s: str = read_str(APP_MEMID, 16, 9);
    len = s.len();
    sw = s.starts_with("wasm");
    ew = s.ends_with("text");
    ct = s.contains("m t");
    var p: i32 = box.mem_alloc(9);
    write_str(memid(box), p as u32, s);
    memcpy(memid(box), p as u32, APP_MEMID, 100, 9);
    copied = read_str(APP_MEMID, 100, 9);
    equal = copied == s;
}`, userLibs);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'len'), '9');
    assert.equal(value(r.rows, 'sw'), 'true');
    assert.equal(value(r.rows, 'ew'), 'true');
    assert.equal(value(r.rows, 'ct'), 'true');
    assert.equal(value(r.rows, 'copied'), 'wasm text', 'app -> library (write_str) -> app (memcpy)');
    assert.equal(value(r.rows, 'equal'), 'true');
});

test('whamm_core receives a string copied from s.addr() and prints it', async () => {
    const r = await run(APP, `
use whamm_core;
report var g: str = "from a global\\n";
var gl: u32 = g.len();
var gp: i32 = whamm_core.mem_alloc(gl as i32);
memcpy(0, g.addr(), memid(whamm_core), gp as u32, gl);
wasm:opcode:call:before {
    var s: str = "hi\\u{1F600}\\n";
    var p: i32 = whamm_core.mem_alloc(s.len() as i32);
    memcpy(0, s.addr(), memid(whamm_core), p as u32, s.len());
    whamm_core.puts(p, s.len() as i32);
    whamm_core.mem_free(p);
    whamm_core.puts(gp, gl as i32);
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.stdout.startsWith('hi\u{1F600}\nfrom a global\nhi\u{1F600}\nfrom a global\n'), r.stdout);
});
