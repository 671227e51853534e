// What used to crash the CLI, fail open or pass silently, each through `whamm` itself: scripts that nest or
// chain too far or are too large, out-of-range literals and a script without any probe (each the editor's
// own diagnostic, exit 2, nothing written), modules V8 rejects (rejected before anything is written), and
// proc_exit from an app without an exported memory (its exit code, not a trap).
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { main } from '../../server/src/cli/main.js';
import { whamm } from '../support/cli.js';
import { LspClient } from '../support/lsp-client.js';
import { wat } from '../support/wat.js';
import { Rng, mutateModule } from '../fuzz/mutate.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-cli-robust-'));
const app = path.join(dir, 'app.wasm');
const APP_WAT = `(module (memory (export "memory") 1)
  (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "_start") (local i32)
    loop $l local.get 0 call $f local.tee 0 i32.const 50 i32.lt_u br_if $l end))`;

/** `whamm ARGS` in this process (the CLI's own entry point), with its stderr captured. */
async function cli(args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => { err += chunk.toString(); return true; }) as typeof process.stderr.write;
    try {
        return { code: await main(args), err };
    } finally {
        process.stderr.write = write;
    }
}

const inProbe = (expr: string) => `report var x: u32;\nwasm:opcode:call:before {\n    x = ${expr};\n}\n`;

/** Each script with the message it must get; none may be compiled. */
const SCRIPTS: Array<{ name: string; text: string; message: RegExp }> = [
    { name: 'x =+;', text: 'wasm:opcode:call:before { x =+; }\n', message: /Unexpected `\+`/ },
    { name: '2,000-term sum', text: inProbe(Array(2000).fill('1').join('+')), message: /Expression too long/ },
    { name: '100,000-term sum', text: inProbe(Array(100_000).fill('1').join('+')), message: /Expression too long/ },
    { name: '181 nested ifs', text: `wasm:opcode:call:before { ${'if (true) { '.repeat(181)}${'}'.repeat(181)} }\n`, message: /Nesting too deep/ },
    { name: '5 MB string literal', text: `wasm:begin { var s: str = "${'a'.repeat(5_000_000)}"; s = s; }\n`, message: /Script too large/ },
    { name: 'u32 = 4294967296', text: 'report var big: u32 = 4294967296;\nwasm:opcode:call:before { big++; }\n', message: /4294967296 does not fit in u32 \(at most 4294967295\)/ },
    { name: 'u64 literal over 2^64', text: 'wasm:opcode:call:before { var y: u64 = 18446744073709551616; y++; }\n', message: /does not fit in u64/ },
    { name: 'i8 = 256', text: 'report var s: i8 = 256;\nwasm:opcode:call:before { s++; }\n', message: /256 does not fit in i8 \(at most 255\)/ },
    { name: 'a string token over several lines', text: 'wasm:fre_nesting" / {\n    report var y: i32;\n    y = locunc:entry { }\n\nwasm(local0: i32):func:entry / fname == "more_nesting" / {\n    report var y: i32;\n    y = local0;\n}\n', message: /but found `" \/ \{…`$/ },
    { name: 'no probe', text: 'var lonely: u32;\n', message: /A script must contain at least one probe/ },
];

test('scripts that used to crash or pass: exactly the editor\'s diagnostics, exit 2, nothing written', { timeout: 300_000 }, async () => {
    fs.writeFileSync(app, await wat(APP_WAT));
    const client = new LspClient();
    try {
        await client.initialize();
        for (const [k, { name, text, message }] of SCRIPTS.entries()) {
            const script = path.join(dir, `s${k}.mm`);
            const out = path.join(dir, `o${k}.wasm`);
            fs.writeFileSync(script, text);
            const editor = (await client.open(`file:///cli-robustness/${k}/script.mm`, text))
                .filter((d: Diagnostic) => d.severity === 1)
                .map(d => `${script}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${String(d.message)}`);
            assert.ok(editor.some(l => message.test(l)), `${name}: the editor says ${JSON.stringify(editor)}`);
            const r = await cli(['instr', '--app', app, '--script', script, '-o', out]);
            assert.equal(r.code, 2, `${name}: ${r.err.slice(0, 300)}`);
            assert.deepEqual(r.err.trim().split('\n'), editor, `${name}: the CLI prints the editor's errors`);
            for (const line of r.err.trim().split('\n')) assert.match(line, /^\S+:\d+:\d+: error: /, `${name}: one diagnostic per line`);
            assert.equal(fs.existsSync(out), false, `${name}: no module written`);
            assert.equal(fs.existsSync(path.join(dir, `o${k}.sites.json`)), false, `${name}: no site table written`);
        }
        assert.equal(client.exited, false);
    } finally {
        await client.shutdown();
    }
    // The largest one once more as its own process: no out-of-memory abort, no stack trace.
    const big = whamm(['instr', '--app', app, '--script', path.join(dir, 's2.mm'), '-o', path.join(dir, 'big.wasm')], dir);
    assert.equal(big.code, 2, big.err.slice(0, 300));
    assert.match(big.err, /^.*s2\.mm:3:\d+: error: Expression too long/);
    assert.doesNotMatch(big.err, /\n\s+at /);
});

test('modules V8 rejects (over 200 of 1,612 mutations) are all rejected by instr before anything is written', { timeout: 300_000 }, async () => {
    const apps = [
        await wat(APP_WAT),
        await wat(`(module (type $t (func (param i32) (result i32)))
          (memory (export "memory") 1) (table 2 funcref) (elem (i32.const 0) $id $id)
          (global $g (mut i32) (i32.const 0))
          (func $id (type $t) local.get 0)
          (func (export "_start") (local i64 f32)
            (block (br_table 0 0 (i32.const 0)))
            (global.set $g (call_indirect (type $t) (i32.const 3) (i32.const 1)))
            (i32.store (i32.const 8) (i32.load (i32.const 4)))
            (if (global.get $g) (then nop) (else (drop (memory.grow (i32.const 0)))))))`),
    ];
    const script = path.join(dir, 'count.mm');
    fs.writeFileSync(script, 'report var count: u64;\nwasm:opcode:*:before { count++; }\n');
    const rng = new Rng(1612);
    let rejectedByV8 = 0;
    for (let k = 0; k < 1612; k++) {
        const bytes = mutateModule(rng.pick(apps), rng);
        if (WebAssembly.validate(bytes)) continue;
        rejectedByV8++;
        const input = path.join(dir, 'mutated.wasm');
        const out = path.join(dir, 'mutated-out.wasm');
        fs.writeFileSync(input, bytes);
        const r = await cli(['instr', '--app', input, '--script', script, '-o', out]);
        const b64 = Buffer.from(bytes).toString('base64');
        assert.equal(r.code, 2, `mutation ${k} (${b64}): ${r.err}`);
        assert.match(r.err, /^whamm instr: .*mutated\.wasm(: | is not a valid WebAssembly module: ).+\n$/, `mutation ${k}: one line`);
        assert.equal(fs.existsSync(out), false, `mutation ${k}: nothing written`);
    }
    assert.ok(rejectedByV8 >= 200, `${rejectedByV8} of 1,612 mutations rejected by V8`);
});

test('whamm run: proc_exit(3) from a module without an exported memory exits 3, with no trap message', async () => {
    const px = path.join(dir, 'exit3.wasm');
    fs.writeFileSync(px, await wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func (export "_start") (call $exit (i32.const 3))))`));
    const r = whamm(['run', px], dir);
    assert.equal(r.code, 3, r.err);
    assert.equal(r.err, '', 'nothing on stderr (no "trap: Symbol(kExitCode)")');
    assert.doesNotMatch(r.out, /Symbol|kExitCode|trap/);
});

test('cleanup', () => fs.rmSync(dir, { recursive: true, force: true }));
