// The front-end shared with the engine: symbols, expression types, probe matches and library typing.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AstUtils, type AstNode } from 'langium';
import { parseScript } from '../../server/src/language/parse.js';
import { checkScript, typeToString, type CheckResult } from '../../server/src/frontend/index.js';
import type { Script } from '../../server/src/language/generated/ast.js';

async function check(text: string, userLibs?: Parameters<typeof checkScript>[1] extends infer O ? O extends { userLibs?: infer U } ? U : never : never): Promise<{ r: CheckResult; script: Script; text: string }> {
    const parsed = await parseScript(text);
    return { r: checkScript(parsed.script, { userLibs }), script: parsed.script, text };
}

/** The node whose CST text is exactly `snippet` (innermost first). */
function nodeAt(script: Script, snippet: string, type?: string): AstNode {
    let found: AstNode | undefined;
    for (const n of AstUtils.streamAllContents(script)) {
        if (n.$cstNode?.text === snippet && (!type || n.$type === type)) found = n;
    }
    assert.ok(found, `no node for ${snippet}`);
    return found!;
}

test('integer literals take the type of their context', async () => {
    const { r, script } = await check('wasm:opcode:br_if:before { var a: u8 = 200; var b: u64 = 18_446_744_073_709_551_615; var c: f32 = 1; var ok: bool = fid == 3; a++; b++; c = c + 1; ok = !ok; }');
    assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error'), []);
    assert.equal(typeToString(r.typeOf(nodeAt(script, '200'))!), 'u8');
    assert.equal(typeToString(r.typeOf(nodeAt(script, '18_446_744_073_709_551_615'))!), 'u64');
    assert.equal(typeToString(r.typeOf(nodeAt(script, '3'))!), 'u32', 'compared with the u32 fid');
    assert.equal(typeToString(r.typeOf(nodeAt(script, 'c + 1'))!), 'f32');
    assert.equal(typeToString(r.typeOf(nodeAt(script, 'fid == 3'))!), 'bool');
});

test('symbols say where each name lives', async () => {
    const { r, script } = await check([
        'use alpha;',
        'report var total: u32;',
        'var g: i32;',
        'fn twice(x: u32) -> u32 { return x + x; }',
        'wasm:opcode:i32.load:before {',
        '    report unshared var per: u32;',
        '    unshared var keep: u32;',
        '    var tmp: u32 = twice(effective_addr);',
        '    total = tmp + per + keep + page_size(APP_MEMID);',
        '    alpha.f(1);',
        '    g = 1;',
        '}',
    ].join('\n'));
    assert.deepEqual(r.diagnostics, []);
    const kind = (snippet: string, type = 'VarRef') => r.symbolOf(nodeAt(script, snippet, type))?.kind;
    assert.equal(kind('total'), 'report');
    assert.equal(kind('per'), 'report');
    assert.equal((r.symbolOf(nodeAt(script, 'per', 'VarRef')) as { perSite: boolean }).perSite, true);
    assert.equal((r.symbolOf(nodeAt(script, 'total', 'VarRef')) as { perSite: boolean }).perSite, false);
    assert.equal(kind('keep'), 'unshared');
    assert.equal(kind('tmp'), 'local');
    assert.equal(kind('x', 'VarRef'), 'param');
    assert.equal(kind('g'), 'global');
    assert.equal(kind('effective_addr'), 'bound');
    assert.equal(kind('APP_MEMID'), 'builtin');
    assert.equal(kind('twice(effective_addr)', 'CallExpr'), 'function');
    assert.equal(kind('page_size(APP_MEMID)', 'CallExpr'), 'builtin-fn');
    assert.equal(kind('alpha.f(1)', 'MemberExpr'), 'lib-fn');
    const probe = r.probes[0];
    assert.deepEqual(probe.matches.map(m => `${m.event.rule}:${m.mode}`), ['wasm:opcode:i32.load:before']);
    assert.deepEqual([...probe.boundVars.keys()], ['effective_addr']);
    assert.equal(probe.boundVars.get('effective_addr')!.isStatic, false);
});

test('globs expand to the matched events and modes; bounds type the operands', async () => {
    const { r, script } = await check('wasm:opcode:call(arg0: i64):before|after { var v: i64 = arg0; v++; }\nwasm::br|br_if:before { }');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.probes[0].matches.map(m => m.mode).sort(), ['after', 'before']);
    assert.equal(typeToString(r.typeOf(nodeAt(script, 'arg0', 'VarRef'))!), 'i64');
    assert.deepEqual(r.probes[1].matches.map(m => m.event.parts[2]).sort(), ['br', 'br_if']);
});

test('spelling variants of monitors in the wild match the catalog events', async () => {
    const { r } = await check('wasm:opcode:i32.atomic_load|*atomic_rmw*:before { }');
    assert.deepEqual(r.diagnostics, []);
    const names = r.probes[0].matches.map(m => m.event.parts[2]);
    assert.ok(names.includes('i32.atomic.load'));
    assert.ok(names.includes('i64.atomic.rmw.add'));
});

test('library calls are typed when the library exports are known', async () => {
    const libs = { core: { alloc: { params: [{ kind: 'i32' } as const], results: [{ kind: 'i32' } as const] } } };
    const good = await check('use core;\nwasm:begin { var p: i32 = core.alloc(4); p++; }', libs);
    assert.deepEqual(good.r.diagnostics, []);
    assert.equal(typeToString(good.r.typeOf(nodeAt(good.script, 'core.alloc(4)'))!), 'i32');
    const bad = await check('use core;\nwasm:begin { core.free(1); core.alloc(); }', libs);
    assert.deepEqual(bad.r.diagnostics.map(d => d.message), [
        'Library `core` has no exported function `free`',
        '`core.alloc` takes 1 argument, got 0',
    ]);
});

test('diagnostic offsets point at the offending text', async () => {
    const { r, text } = await check('wasm:opcode:br_if:before { var s: str = "x"; var n: u32 = s; n++; }');
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.equal(text.substring(d.start, d.end), 's');
    assert.equal(d.start, text.lastIndexOf('= s;') + 2);
    assert.equal(d.message, 'Cannot initialise `n: u32` with a value of type str');
});

test('checkParsed: syntax errors and checker diagnostics together, as LSP diagnostics', async () => {
    const { checkParsed } = await import('../../server/src/frontend/index.js');
    const parsed = await parseScript('wasm:opcode:br_if:before { var x: u32 = ; nope++; }');
    const result = checkParsed(parsed);
    assert.deepEqual(result.lspDiagnostics.map(d => [d.severity, d.range.start.character, d.message]), [
        [1, 40, 'Unexpected `;`; expected `!`, `~`, `-`, `(`, a name, `@static`'],
        [2, 31, '`x` is declared but never used'],
        [1, 42, 'Unknown name `nope`'],
    ]);
    // The same diagnostics parseScript reported (the checker runs as the document validator).
    assert.deepEqual(new Set(parsed.diagnostics.map(d => d.message)), new Set(result.lspDiagnostics.map(d => d.message)));
});
