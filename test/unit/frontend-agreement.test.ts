// One diagnostics source: every script of the corpus, of test/fixtures/broken and a set of generated cases
// gives the same errors in the editor (the language server's validation, over LSP) and in `whamm instr`
// (the engine's entry point, and for the fixtures the CLI process itself, whose stderr lines are compared
// with the editor's diagnostics formatted as `file:line:col: error: message`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client.js';
import { whamm } from '../support/cli.js';
import { HAVE_SHARED, listFiles, PROJECT_ROOT, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';
import { wat } from '../support/wat.js';
import { instrument, ScriptError } from '../../server/src/engine/instrument.js';

/** An app with a bit of everything: calls, branches, memory, locals, a table. */
const APP_WAT = `(module
  (type $t (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (table 2 funcref) (elem (i32.const 0) $id $id)
  (global $g (mut i32) (i32.const 0))
  (func $id (type $t) local.get 0)
  (func $work (param i32 i32) (result i32) (local i64 f32 f64)
    (block (loop (br_if 1 (i32.eqz (local.get 0))) (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))
    (if (local.get 1) (then nop) (else nop))
    (i32.store (i32.const 8) (i32.load (i32.const 4)))
    (global.set $g (call $id (local.get 1)))
    (drop (call_indirect (type $t) (i32.const 3) (i32.const 1)))
    (drop (memory.grow (i32.const 0)))
    (block (br_table 0 0 (i32.const 0)))
    (i32.add (local.get 0) (local.get 1)))
  (func (export "_start") (drop (call $work (i32.const 3) (i32.const 1)))))`;

interface Case { name: string; text: string; app?: string; libs?: Map<string, string> }

function corpusCases(): Case[] {
    if (!HAVE_SHARED) return [];
    const out: Case[] = [];
    for (const f of listFiles(sharedPath('conformance', 'suite'), '.mm')) {
        const base = f.slice(0, -3);
        const app = fs.existsSync(`${base}.app`) ? path.resolve(sharedPath('conformance'), fs.readFileSync(`${base}.app`, 'utf8').trim()) : undefined;
        const libs = new Map<string, string>();
        if (fs.existsSync(`${base}.libs`)) {
            for (const item of fs.readFileSync(`${base}.libs`, 'utf8').trim().split(',').filter(Boolean)) {
                const [name, p] = item.split('=');
                libs.set(name.trim(), path.resolve(sharedPath('conformance'), p.trim()));
            }
        }
        out.push({ name: path.relative(sharedPath(), f), text: fs.readFileSync(f, 'utf8'), app, libs });
    }
    for (const f of listFiles(sharedPath('bench', 'monitors'), '.mm')) {
        out.push({ name: path.relative(sharedPath(), f), text: fs.readFileSync(f, 'utf8') });
    }
    for (const f of listFiles(sharedPath('conformance', 'wast'), '.wast')) {
        fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
            const m = /^\s*;; WHAMM -->(.*)$/.exec(line);
            // alt_call_by_id/name name functions of the wast file's own module, which only the engine sees
            // (the editor has no app): whether they exist and fit is checked against the app, not here.
            if (m && !/alt_call_by_(id|name)/.test(m[1])) out.push({ name: `${path.relative(sharedPath(), f)}:${i + 1}`, text: m[1] });
        });
    }
    return out;
}

const BROKEN = path.join(PROJECT_ROOT, 'test', 'fixtures', 'broken');
const fixtureCases = (): Case[] => fs.readdirSync(BROKEN).filter(f => f.endsWith('.mm')).sort()
    .map(f => ({ name: `broken/${f}`, text: fs.readFileSync(path.join(BROKEN, f), 'utf8') }));

/** Generated: each rule of the checker once, around a probe that is otherwise fine. */
function generatedCases(): Case[] {
    const probe = 'wasm:opcode:call:before { }';
    const bodies = [
        'if (true) { }', 'var m: map<u32, map<u32, u32>>;', 'var t: (u32, map<u32, u32>);', 'fn memcpy() { }',
        'var x: u8 = 300;', 'var y: u64 = 99999999999999999999;', 'fn f() -> u32 { return 1; } var g: u32 = f();',
        'wasm:opcode:call(arg0: i32):before { report var r: i32 = arg0; }', 'wasm:opcode:call:before { var l: u32; unshared var u: u32 = l; }',
        'wasm:opcode:call:before { category_id = 1; }', 'wasm:func:entry { var n: str = category_name; }',
        'wasm:opcode:i32.add:before { var s: u32 = res0; }', 'wasm:opcode:br_table:before { var t: u32 = num_targets + default_target; }',
        ':::before { }', '::br_if: { }', 'wasm:opcode:call(local0: i32):before { var v: i32 = local0; v++; }',
        'var n: u32; n++;', '', '// only a comment',
        // Forms the engine cannot compile are the checker's errors, at the same place.
        'wasm:begin { report var b: u32; b++; }', 'wasm:end { unshared var e: u32; e++; }',
        'wasm:opcode:call:before { var f: funcref; }', 'var g: (u32, funcref);',
        'fn f() -> u32 { return 1; } wasm:opcode:call:before { var a: u32 = (f(), 2).1; }',
        'wasm:opcode:call:before { var x: u32 = 1; var a: u32 = (x / 0, 2).1; }',
        'wasm:opcode:call:alt { var n: str = "f"; alt_call_by_name(n); }',
        'wasm:opcode:call:alt { var i: u32 = 0; alt_call_by_id(i); }',
        'wasm:opcode:call:before { var m: u32 = 0; var s: u32 = active_data_start(m); }',
        'use whamm_core; wasm:opcode:call:before { var x: u32 = 1; var y: u32 = @static whamm_core.mem_alloc(x); }',
        'fn f() -> (u32, u32) { return (1, 2); } report var x: u32; wasm:opcode:call:before { x = f().0; }',
        'fn g(t: (u32, u32)) -> u32 { return t.0; } report var x: u32; wasm:opcode:call:before { x = g((1, 2)); }',
        'report var x: bool; wasm:opcode:call:before { var t: (u32, u32) = (1, 2); x = t == (pc, 2); }',
        'report var x: u32; wasm:opcode:call:before { var m: map<u32, u32>; m[1] = 2; x = m[1]; }',
    ];
    return bodies.map((b, i) => ({ name: `generated/${i}`, text: /wasm:|:::|::/.test(b) ? b : `${b}\n${probe}` }));
}

let client: LspClient;
let docs = 0;
let appBytes: Uint8Array;
before(async () => {
    client = new LspClient();
    await client.initialize();
    appBytes = await wat(APP_WAT);
    assert.ok(WebAssembly.validate(appBytes), 'the test app is valid');
});
after(async () => { await client.shutdown(); });

const key = (line: number, col: number, message: string) => `${line}:${col}: ${message}`;

async function editorErrors(c: Case): Promise<string[]> {
    const diags = await client.open(`file:///whamm-agreement/${++docs}/script.mm`, c.text);
    return diags.filter((d: Diagnostic) => d.severity === 1).map(d => key(d.range.start.line + 1, d.range.start.character + 1, String(d.message))).sort();
}

async function instrErrors(c: Case): Promise<string[]> {
    const app = c.app ? new Uint8Array(fs.readFileSync(c.app)) : appBytes;
    const userLibs = new Map<string, Uint8Array>();
    for (const [name, p] of c.libs ?? []) userLibs.set(name, new Uint8Array(fs.readFileSync(p)));
    try {
        await instrument({ app, script: c.text, userLibs });
        return [];
    } catch (e) {
        if (!(e instanceof ScriptError)) throw e;
        return e.diagnostics.map(d => key(d.line, d.column, d.message)).sort();
    }
}

async function agree(cases: Case[]): Promise<void> {
    const differ: string[] = [];
    for (const c of cases) {
        const [ed, ins] = [await editorErrors(c), await instrErrors(c)];
        if (ed.join('\n') !== ins.join('\n')) differ.push(`${c.name}\n  editor: ${ed.join(' | ') || '(none)'}\n  instr:  ${ins.join(' | ') || '(none)'}`);
    }
    assert.deepEqual(differ, [], `${differ.length} of ${cases.length} scripts disagree`);
}

test('corpus scripts: the editor and instr agree', { skip: SKIP_NO_SHARED }, async () => {
    const cases = corpusCases();
    assert.ok(cases.length > 300, `${cases.length} corpus scripts`);
    await agree(cases);
});

test('broken fixtures and generated cases: the editor and instr agree', async () => {
    const cases = [...fixtureCases(), ...generatedCases()];
    await agree(cases);
    // Every generated case is an error or a clean script by intent: at least the rule cases give errors.
    const failing = await Promise.all(generatedCases().map(instrErrors));
    assert.ok(failing.filter(e => e.length > 0).length >= 26, 'the generated rule cases are errors');
});

test('`whamm instr` prints exactly the editor\'s errors, as file:line:col', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-agree-'));
    try {
        const app = path.join(dir, 'app.wasm');
        fs.writeFileSync(app, appBytes);
        for (const c of [...fixtureCases().filter((_, i) => i % 12 === 0), generatedCases()[0], generatedCases()[4]]) {
            const script = path.join(dir, 'script.mm');
            fs.writeFileSync(script, c.text);
            const expected = (await client.open(`file:///whamm-agreement/${++docs}/script.mm`, c.text))
                .filter((d: Diagnostic) => d.severity === 1)
                .map(d => `${script}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${String(d.message)}`);
            const r = whamm(['instr', '--app', app, '--script', script, '-o', path.join(dir, 'out.wasm')], dir);
            if (expected.length === 0) { assert.equal(r.code, 0, `${c.name}: ${r.err}`); continue; }
            assert.equal(r.code, 2, `${c.name}: exit code`);
            assert.deepEqual(r.err.trim().split('\n'), expected, c.name);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
