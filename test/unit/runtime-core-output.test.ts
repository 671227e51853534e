// whamm_core holds back console output until a newline (Rust's line-buffered stdout). The reference prints
// its report through whamm_core, starting with a newline, so a last `puts` without one still appears
// (corpus: strings/get-from-lib-global ends its app output with "hello"). The runner ends such a line
// before the report; output that already ends its lines gets nothing extra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { wat } from '../support/wat.js';

const APP = `(module (func $f) (func (export "_start") (call $f) (call $f)))`;

async function libraryOutput(text: string): Promise<{ lib: string; report: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-core-out-'));
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    let report = '';
    try {
        const { bytes } = await instrument({ app: await wat(APP), script: `
use whamm_core;
report var calls: u32;
wasm:opcode:call:before {
    calls++;
    var s: str = ${JSON.stringify(text)};
    var p: i32 = whamm_core.mem_alloc(s.len() as i32);
    write_str(memid(whamm_core), p as u32, s);
    whamm_core.puts(p, s.len() as i32);
    whamm_core.mem_free(p);
}` });
        const r = await runModule(bytes, { stdout: t => { report += t; }, stderr: t => { report += t; }, stdoutFd: fd });
        assert.equal(r.exitCode, 0, report);
    } finally {
        fs.closeSync(fd);
    }
    const lib = fs.readFileSync(file, 'utf8');
    fs.rmSync(dir, { recursive: true });
    return { lib, report };
}

test('a line whamm_core holds back is ended before the report', async () => {
    const { lib, report } = await libraryOutput('ab');
    assert.equal(lib, 'abab\n');
    assert.match(report, /REPORT CSV FLUSH/);
});

test('library output that ends its lines gets no extra newline', async () => {
    const { lib } = await libraryOutput('ab\n');
    assert.equal(lib, 'ab\nab\n');
});
