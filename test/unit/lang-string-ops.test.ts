// Strings through the whole pipeline on WAT apps and a WAT library written here: every escape of the
// spec written into memory with write_str and printed back by the app, run-time string methods on text
// read with read_str, strcmp, str map keys, str report values, and memid(lib) for a library's memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { validates } from '../support/engine-harness.js';
import { mapEntries, run, value, wat } from '../fixtures/lang/harness.js';

// $mark(addr, len) is the probe point; after it the app prints `n` bytes at 200 with WASI fd_write.
function printingApp(n: number): string {
    return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "GET /index.html")
  (func $mark (param i32 i32))
  (func (export "_start")
    (call $mark (i32.const 64) (i32.const 15))
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const ${n}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;
}

test('every escape of the spec: write_str puts the exact bytes in app memory; len counts UTF-8 bytes', async () => {
    // q " ' \\ NUL LF CR TAB A é(2 bytes) 😀(4 bytes) z = 16 bytes
    const expected = 'q"\'\\\0\n\r\tA\u00e9\u{1F600}z';
    assert.equal(Buffer.byteLength(expected), 16);
    const r = await run(printingApp(16), `
report var n: u32;
wasm:opcode:call:before / target_fn_name == "mark" / {
    var s: str = "q\\"\\'\\\\\\0\\n\\r\\t\\x41\\u{e9}\\u{1F600}z";
    write_str(APP_MEMID, 200, s);
    n = s.len();
}`);
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.stdout.startsWith(expected), JSON.stringify(r.stdout.slice(0, 20)));
    assert.equal(value(r.rows, 'n'), '16');
});

test('read_str at run time; len, starts_with, ends_with, contains, ==, strcmp on the text read', async () => {
    // $mark sees "GET /index.html" (64, 15), then "GET" (64, 3) twice.
    const app = `(module
  (memory 1)
  (data (i32.const 64) "GET /index.html")
  (func $mark (param i32 i32))
  (func (export "_start")
    (call $mark (i32.const 64) (i32.const 15))
    (call $mark (i32.const 64) (i32.const 3))
    (call $mark (i32.const 64) (i32.const 3))))`;
    const r = await run(app, `
report var paths: map<str, u32>;
report var total_len: u32;
report var gets: u32;
report var html: u32;
report var slash: u32;
report var posts: u32;
report var equal_get: u32;
report var cmp_full: u32;
report var cmp_get: u32;
report var cmp_short: u32;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "mark" / {
    var s: str = read_str(APP_MEMID, arg1 as u32, arg0 as u32);
    paths[s]++;
    total_len = total_len + s.len();
    if (s.starts_with("GET")) { gets++; }
    if (s.ends_with(".html")) { html++; }
    if (s.contains("/")) { slash++; }
    if (s.contains("POST")) { posts++; }
    if (s == "GET") { equal_get++; }
    if (strcmp((arg1 as u32, arg0 as u32), "GET /index.html")) { cmp_full++; }
    if (strcmp((arg1 as u32, arg0 as u32), "GET")) { cmp_get++; }
    if (strcmp((arg1 as u32, 4), "GET")) { cmp_short++; }
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(mapEntries(r.rows, 'paths'), ['GET /index.html->1', 'GET->2']);
    assert.equal(value(r.rows, 'total_len'), '21');
    assert.equal(value(r.rows, 'gets'), '3', 'a string starts with itself');
    assert.equal(value(r.rows, 'html'), '1');
    assert.equal(value(r.rows, 'slash'), '1');
    assert.equal(value(r.rows, 'posts'), '0');
    assert.equal(value(r.rows, 'equal_get'), '2');
    assert.equal(value(r.rows, 'cmp_full'), '1');
    assert.equal(value(r.rows, 'cmp_get'), '2');
    assert.equal(value(r.rows, 'cmp_short'), '0', '"GET " is not "GET"');
});

test('str report values print their text: escapes decoded, globals and per-site variables', async () => {
    const app = `(module (func $f) (func (export "_start") (call $f) (call $f)))`;
    const r = await run(app, `
report var shown: str;
report var joined: str = "a\\tb";
wasm:opcode:call:before {
    shown = "say \\"hi\\" it's";
    report var site: str;
    site = "\\u{263a}\\x21";
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'shown'), 'say "hi" it\'s');
    assert.equal(value(r.rows, 'joined'), 'a\tb');
    const site = r.rows.filter(x => x.name === 'site');
    assert.equal(site.length, 2, 'one per call site');
    for (const s of site) assert.equal(s.value, '\u263a!');
    assert.ok(site.every(s => s.type === 'str'));
});

// Regression: the escape check once read `\\` followed by a character as an invalid escape.
test('an escaped backslash followed by any character', async () => {
    const app = `(module (func $f) (func (export "_start") (call $f)))`;
    const r = await run(app, `
report var path: str;
report var n: u32;
wasm:opcode:call:before { path = "C:\\\\dir\\\\b x\\\\ y"; n = path.len(); }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'path'), 'C:\\dir\\b x\\ y');
    assert.equal(value(r.rows, 'n'), '13');
});

// A library with its own memory: sum(addr, len) adds the bytes there.
const LIB = `(module
  (memory (export "memory") 1)
  (func (export "sum") (param i32 i32) (result i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get 1)))
        (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get 0))))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
        (br $l)))
    (local.get $acc)))`;

test('write_str and read_str on a user library memory through memid(lib)', async () => {
    const userLibs = new Map([['box', await wat(LIB)]]);
    const app = `(module (memory 1) (data (i32.const 0) "zz") (func $f) (func (export "_start") (call $f)))`;
    const r = await run(app, `
use box;
report var sum: i32;
report var back: str;
report var distinct: bool;
report var app_text: str;
wasm:opcode:call:before {
    write_str(memid(box), 10, "AB\\x01");
    sum = box.sum(10, 3);
    back = read_str(memid(box), 10, 2);
    distinct = memid(box) != APP_MEMID;
    app_text = read_str(APP_MEMID, 0, 2);
}`, userLibs);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'sum'), String(65 + 66 + 1));
    assert.equal(value(r.rows, 'back'), 'AB');
    assert.equal(value(r.rows, 'distinct'), 'true');
    assert.equal(value(r.rows, 'app_text'), 'zz', 'the app memory is untouched by writes to the library memory');
});
