// Strings through the whole pipeline: WAT app compiled here, a script, the engine, the runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

// The memory is not exported: read_str/strcmp must still reach it.
const APP = `(module
  (memory 1)
  (data (i32.const 0) "record")
  (data (i32.const 16) "hello")
  (func $work (param i32) (result i32) local.get 0)
  (func $other (param i32) (result i32) local.get 0)
  (func (export "_start") (drop (call $work (i32.const 16))) (drop (call $work (i32.const 0))) (drop (call $other (i32.const 0)))))`;

async function runScript(script: string, opts: { userLibs?: Map<string, Uint8Array>; stdoutFd?: number } = {}) {
    const { bytes, sites } = await instrument({ app: await watToWasm(APP), script, userLibs: opts.userLibs });
    let out = '';
    const r = await runModule(bytes, { stdout: t => { out += t; }, stderr: t => { out += t; }, stdoutFd: opts.stdoutFd, userLibs: opts.userLibs });
    assert.equal(r.exitCode, 0, out);
    const rows = out.split('\n').filter(l => /^[(\d]/.test(l)).map(l => l.split(', '));
    // name@pc -> value (per-site rows) or name -> value (globals)
    const values = new Map(rows.map(f => [f[8] ? `${f[2]}@${f[8]}` : f[2], f.slice(10).join(', ')]));
    return { values, sites, out };
}

test('read_str, len, ==, strcmp on the app memory; string predicates fold per site', async () => {
    const { values, sites } = await runScript(`
report var hits: u32;
wasm:opcode:call(arg0: i32):before / target_fn_name.starts_with("wo") && !target_fn_name.contains("zz") / {
    report var s: str;
    s = read_str(APP_MEMID, arg0 as u32, 5);
    report var n: u32;
    n = s.len();
    report var is_hello: bool;
    is_hello = s == "hello";
    report var rec: bool;
    rec = strcmp((arg0 as u32, 6), "record");
    hits++;
}`);
    // The predicate is static: only the two calls of $work are sites; $other's call is not.
    assert.equal(sites.length, 2);
    const pcs = [...values.keys()].filter(k => k.startsWith('s@')).map(k => k.slice(2)).sort((a, b) => Number(a) - Number(b));
    assert.equal(pcs.length, 2);
    const [first, second] = pcs;
    assert.equal(values.get('hits'), '2');
    assert.equal(values.get(`s@${first}`), 'hello');
    assert.equal(values.get(`n@${first}`), '5');
    assert.equal(values.get(`is_hello@${first}`), 'true');
    assert.equal(values.get(`rec@${first}`), 'false');
    assert.equal(values.get(`s@${second}`), 'recor');
    assert.equal(values.get(`is_hello@${second}`), 'false');
    assert.equal(values.get(`rec@${second}`), 'true');
});

test('literals with escapes, methods on constants fold, str report values', async () => {
    const { values } = await runScript(`
wasm:opcode:call(arg0: i32):before / fname == "" || true / {
    report var s: str = "a\\tb\\u{e9}\\x41";
    report var l: u32 = "a\\tb\\u{e9}".len();
    report var sw: bool = s.starts_with("a\\t");
    report var ew: bool = s.ends_with("A");
    report var c: bool = s.contains("zz");
}`);
    const one = (name: string) => [...values.entries()].find(([k]) => k.startsWith(name + '@'))![1];
    assert.equal(one('s'), 'a\tb\u00e9A');
    assert.equal(one('l'), '5', 'a, tab, b, and two UTF-8 bytes for U+00E9');
    assert.equal(one('sw'), 'true');
    assert.equal(one('ew'), 'true');
    assert.equal(one('c'), 'false');
});

test('use whamm_core without --user-libs: write_str into its memory, puts prints it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-str-'));
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    try {
        await runScript(`
use whamm_core;
wasm:opcode:call(arg0: i32):before / arg0 == 16 / {
    // whamm_core's stdout is line-buffered: end with a newline.
    var s: str = "hello\n";
    var p: i32 = whamm_core.mem_alloc(s.len() as i32);
    write_str(memid(whamm_core), p as u32, s);
    whamm_core.puts(p, s.len() as i32);
    whamm_core.mem_free(p);
}`, { stdoutFd: fd });
    } finally {
        fs.closeSync(fd);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), 'hello\n');
    fs.rmSync(dir, { recursive: true });
});
