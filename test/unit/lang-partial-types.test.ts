// A type name being typed (`var x: u3` on the way to `u32`) gives one error at that word, and the rest of the
// script is still parsed and checked: the statement the word stands in, and the items after it. The types
// are SPEC.md's ("Types and expressions"): the keywords below, tuples `(T, U, ...)` and `map<K, V>`, written
// in declarations, parameters, return types, map keys and values, tuples and casts.
import '../../server/src/polyfill.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { parseScript } from '../../server/src/language/parse.js';

const TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool', 'str', 'funcref', 'map'];

/** Every proper prefix of every type keyword that is not itself a type (`u` and `u3` of `u32`, `ma` of `map`). */
const PARTIAL = [...new Set(TYPES.flatMap(t => [...t].map((_, i) => t.slice(0, i + 1)).filter(p => p !== t && !TYPES.includes(p))))];

/** The places a type is written, with `T` for it; each line after it has an error of its own to find. */
const PLACES = [
    'var x: T;',
    // The end of the statement not typed yet.
    'var x: T',
    'report var x: T\nwasm:opcode:call:before { x++; }',
    'report var x: T;',
    'fn f(a: u32, b: T) { }',
    'fn f() -> T { return 1; }',
    'var m: map<T, u32>;',
    'var m: map<u32, T>;',
    'var m: map<(u32, T), u32>;',
    'var t: (u32, T);',
    'var x: u32 = 1 as T;',
    'wasm:opcode:call:before { var y: T; y = 1; }',
    'wasm:opcode:call:before { unshared var y: T; y++; }',
    // The end of the statement not typed yet.
    'wasm:opcode:call:before {\n    var y: T\n    y = 1;\n}',
] as const;

const AFTER = '\nvar ok: u32;\nfn g(a: u32) -> u32 { return a + later; }\nwasm:opcode:br_if:before { ok++; missing++; }\n';

function covered(text: string, d: Diagnostic): string {
    return text.split('\n')[d.range.start.line].substring(d.range.start.character, d.range.end.character);
}

const errors = (ds: Diagnostic[]) => ds.filter(d => d.severity === 1);

test('a partial type name anywhere a type is written: one error at the word, the rest parsed and checked', async () => {
    for (const place of PLACES) {
        for (const word of PARTIAL) {
            const text = place.replace('T', word) + AFTER;
            const p = await parseScript(text);
            const got = errors(p.diagnostics).map(d => [covered(text, d), String(d.message)]);
            assert.equal(got.length, 3, `${JSON.stringify(text)}: ${JSON.stringify(got)}`);
            assert.equal(got[0][0], word, JSON.stringify(text));
            assert.match(got[0][1], new RegExp(`^Unknown type \`${word}\`: did you mean `), JSON.stringify(text));
            for (const t of TYPES.filter(t => t.startsWith(word))) assert.ok(got[0][1].includes(`\`${t}`), `${got[0][1]} names ${t}`);
            // The items after it: parsed (the outline has them) and checked (their own errors are found).
            assert.deepEqual(got.slice(1).map(g => g[0]).sort(), ['later', 'missing'], JSON.stringify(text));
            const names = p.script.items.map(i => i.$type);
            assert.deepEqual(names.slice(-3), ['VarDecl', 'FnDef', 'Probe'], `${JSON.stringify(text)}: ${names.join(', ')}`);
        }
    }
});

test('the declaration with a partial type still declares its name: its uses are not errors', async () => {
    for (const text of [
        'var count: u3;\nwasm:opcode:call:before { count++; count = count + 1; }',
        'fn f(a: i6) -> u32 { return a as u32; }\nwasm:opcode:call:before { f(1); }',
        'fn f() -> boo { return true; }\nwasm:opcode:call:before { if (f()) { } }',
        'report var hits: map<u32, u6>;\nwasm:opcode:call:before { hits[fid]++; }',
    ]) {
        const p = await parseScript(text);
        assert.equal(errors(p.diagnostics).length, 1, `${JSON.stringify(text)}: ${p.diagnostics.map(d => d.message).join(' | ')}`);
    }
});

test('a word that starts no type name: the error lists the types', async () => {
    const text = 'var x: count;\nwasm:opcode:call:before { missing++; }';
    const got = errors((await parseScript(text)).diagnostics).map(d => [covered(text, d), String(d.message)]);
    assert.equal(got.length, 2, JSON.stringify(got));
    assert.equal(got[0][0], 'count');
    assert.match(got[0][1], /^Unknown type `count`: a type is /);
    for (const t of TYPES) assert.ok(got[0][1].includes(`\`${t}`), `${got[0][1]} names ${t}`);
    assert.deepEqual(got[1], ['missing', 'Unknown name `missing`']);
});

test('several partial type names: one error each', async () => {
    const text = 'var a: u3;\nvar b: map<i6, st>;\nfn f(x: f6) -> boo { return true; }\nwasm:opcode:call:before { missing++; }';
    const got = errors((await parseScript(text)).diagnostics).map(d => covered(text, d));
    assert.deepEqual(got, ['u3', 'i6', 'st', 'f6', 'boo', 'missing']);
});

test('a top-level statement missing its `;` before a probe: one error, the probe still parsed and checked', async () => {
    for (const text of [
        'var x: u32\nwasm:opcode:call:before { x++; missing++; }',
        'var x: u32 = 3\nwasm:opcode:call:before { x++; missing++; }',
        'var x: (u32, f64)\nwasm:opcode:call:before { x.0++; missing++; }',
        'use lib\nwasm:opcode:call:before { missing++; }',
    ]) {
        const p = await parseScript(text);
        assert.deepEqual(errors(p.diagnostics).map(d => [covered(text, d), String(d.message)]),
            [['wasm:opcode:call:before', 'Expected `;` but found `wasm:opcode:call:before`'], ['missing', 'Unknown name `missing`']], JSON.stringify(text));
        assert.equal(p.script.items.filter(i => i.$type === 'Probe').length, 1, JSON.stringify(text));
    }
});

test('statements and parameter lists over several lines are not taken for probe rules', async () => {
    for (const text of [
        'fn f(a: u32,\nb: u32) -> u32 { return a > b ? a\n: b; }\nwasm:opcode:call:before { f(1, 2); }',
        'fn f(a: bool, b: u32, c: u32) -> u32 { return a ?\nb:c; }\nwasm:opcode:call:before { f(true, 1, 2); }',
        'var\nx: u32;\nwasm:opcode:call:before { x++; }',
        'report\nvar x: u32;\nwasm:opcode:call:before { x++; }',
    ]) {
        const p = await parseScript(text);
        assert.deepEqual(errors(p.diagnostics).map(d => d.message), [], JSON.stringify(text));
    }
});
