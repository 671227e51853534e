// Drives the bundled language server over stdio the way an editor does (out/server.cjs --stdio, JSON-RPC):
// diagnostics for the whole conformance corpus and for deliberately broken scripts, completion, hover,
// definition, references, rename, symbols, folding, semantic tokens and formatting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { applyEdits, LspClient, positionOf } from '../support/lsp-client.js';
import { HAVE_SHARED, listFiles, PROJECT_ROOT, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';

const BROKEN_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'broken');

let client: LspClient;
let legend: { tokenTypes: string[]; tokenModifiers: string[] };
let docs = 0;
const uriFor = (name: string) => `file:///whamm-test/${++docs}/${name.replace(/[^\w.-]/g, '_')}`;

before(async () => {
    client = new LspClient();
    const init = await client.initialize() as { capabilities: { semanticTokensProvider: { legend: typeof legend } } };
    legend = init.capabilities.semanticTokensProvider.legend;
});
after(async () => { await client.shutdown(); });

/** Every script of the corpus: suite and bench monitors (.mm) and the `WHAMM -->` lines of the wast files. */
function corpusScripts(): { name: string; text: string }[] {
    if (!HAVE_SHARED) return [];
    const out: { name: string; text: string }[] = [];
    for (const f of [...listFiles(sharedPath('conformance', 'suite'), '.mm'), ...listFiles(sharedPath('bench', 'monitors'), '.mm')]) {
        out.push({ name: path.relative(sharedPath(), f), text: fs.readFileSync(f, 'utf8') });
    }
    for (const f of listFiles(sharedPath('conformance', 'wast'), '.wast')) {
        fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
            const m = /^\s*;; WHAMM -->(.*)$/.exec(line);
            if (m) out.push({ name: `${path.relative(sharedPath(), f)}:${i + 1}`, text: m[1] });
        });
    }
    return out;
}

/** A word occurs exactly once in the text: the declaration is its only mention. */
function mentionedOnce(text: string, name: string): boolean {
    return (text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length === 1;
}

describe('diagnostics over LSP', () => {
    test('every corpus script: no errors, and warnings only for variables that are really never used', { skip: SKIP_NO_SHARED }, async () => {
        const scripts = corpusScripts();
        assert.ok(scripts.length > 300, `expected the whole corpus, found ${scripts.length} scripts`);
        const problems: string[] = [];
        let unusedWarnings = 0;
        for (const s of scripts) {
            const uri = uriFor(`${s.name}.mm`);
            const diags = await client.open(uri, s.text);
            client.close(uri);
            for (const d of diags) {
                const lines = s.text.split('\n');
                const word = lines[d.range.start.line].substring(d.range.start.character, d.range.end.character);
                const genuineUnused = d.severity === 2 && d.code === 'unused' && mentionedOnce(s.text, word);
                if (genuineUnused) unusedWarnings++;
                else problems.push(`${s.name}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
            }
        }
        assert.deepEqual(problems, []);
        // The corpus really has some never-used locals (numerics/mixed_types, call_indirect/recursive).
        console.log(`# ${scripts.length} corpus scripts, ${unusedWarnings} genuine unused-variable warnings`);
    });

    interface Expectation { severity: 1 | 2; message: string; range: Range }

    function expectationsOf(text: string): Expectation[] {
        const lines = text.split('\n');
        const bodyStart = text.indexOf('\n', text.lastIndexOf('// expect')) + 1;
        const out: Expectation[] = [];
        for (const line of lines) {
            const m = /^\/\/ expect (error|warning) @("(?:[^"\\]|\\.)*")(?:#(\d+))?: (.*)$/.exec(line);
            if (!m) continue;
            const snippet = JSON.parse(m[2]) as string;
            let at = bodyStart - 1;
            for (let i = 0; i <= Number(m[3] ?? 0); i++) at = text.indexOf(snippet, at + 1);
            assert.ok(at >= 0, `snippet ${m[2]} not found`);
            const start = positionOf(text.substring(0, at) + '\u0000', '\u0000');
            const end = positionOf(text.substring(0, at + snippet.length) + '\u0000', '\u0000');
            out.push({ severity: m[1] === 'error' ? 1 : 2, message: m[4], range: { start, end } });
        }
        return out;
    }

    const files = fs.readdirSync(BROKEN_DIR).filter(f => f.endsWith('.mm')).sort();
    test('there are at least 25 broken fixtures', () => assert.ok(files.length >= 25, `${files.length} fixtures`));
    for (const file of files) {
        test(`broken/${file}`, async () => {
            const text = fs.readFileSync(path.join(BROKEN_DIR, file), 'utf8');
            const expected = expectationsOf(text);
            assert.ok(expected.length > 0, 'the fixture states its expected diagnostics');
            const diags = await client.open(uriFor(file), text);
            const actual = diags.filter(d => d.severity === 1 || d.severity === 2)
                .map((d: Diagnostic) => ({ severity: d.severity, message: String(d.message), range: d.range }));
            const key = (e: { range: Range; message: string }) => `${e.range.start.line}:${e.range.start.character} ${e.message}`;
            assert.deepEqual([...actual].sort((a, b) => key(a).localeCompare(key(b))), [...expected].sort((a, b) => key(a).localeCompare(key(b))));
        });
    }

    test('re-validation after an edit: fixing the error clears it', async () => {
        const uri = uriFor('edit.mm');
        const broken = 'report var count: u32;\nwasm:opcode:call:before { cnt++; }\n';
        const first = await client.open(uri, broken);
        assert.equal(first.length, 1);
        assert.equal(first[0].message, 'Unknown name `cnt`');
        const fixed = await client.change(uri, broken.replace('cnt', 'count'));
        assert.deepEqual(fixed, []);
    });
});

describe('completion over LSP', () => {
    test('after `wasm:opcode:` the list has the opcode events, replacing only the event part', async () => {
        const text = 'report var n: u32;\nwasm:opcode:';
        const uri = uriFor('complete-event.mm');
        await client.open(uri, text);
        const items = await client.completion(uri, { line: 1, character: 12 });
        const labels = new Set(items.map(i => i.label));
        for (const name of ['br_if', 'i32.load', 'call', 'local.get', 'memory.grow']) assert.ok(labels.has(name), `missing ${name}`);
        assert.ok(!labels.has('entry'), 'func events are not opcode events');
        const load = items.find(i => i.label === 'i32.load')!;
        assert.deepEqual((load.textEdit as { range: Range }).range, { start: { line: 1, character: 12 }, end: { line: 1, character: 12 } });
    });

    test('the provider, package and mode positions', async () => {
        const uri = uriFor('complete-parts.mm');
        const text = 'wasm:opcode:br_if:before { }\nwasm:';
        await client.open(uri, text);
        const pkgs = (await client.completion(uri, { line: 1, character: 5 })).map(i => i.label);
        for (const p of ['opcode', 'func', 'block', 'begin', 'end']) assert.ok(pkgs.includes(p), `missing package ${p}`);
        await client.change(uri, 'wasm:opcode:block:');
        const modes = (await client.completion(uri, { line: 0, character: 18 })).map(i => i.label);
        for (const m of ['before', 'entry', 'exit', 'semantic_after']) assert.ok(modes.includes(m), `missing mode ${m}`);
        await client.change(uri, 'wasm:opcode:i32.add:');
        const addModes = (await client.completion(uri, { line: 0, character: 20 })).map(i => i.label).sort();
        assert.deepEqual(addModes, ['after', 'alt', 'before']);
        await client.change(uri, 'wasm:opcode:i32.lo');
        const partial = await client.completion(uri, { line: 0, character: 18 });
        const edit = partial.find(i => i.label === 'i32.load')!.textEdit as { range: Range };
        assert.deepEqual(edit.range.start, { line: 0, character: 12 }, 'the whole typed event part is replaced');
    });

    test('inside an i32.load before probe: bound variables with types, no res0', async () => {
        const uri = uriFor('complete-bound.mm');
        const text = 'wasm:opcode:i32.load:before {\n    var a: u32 = \n}\n';
        await client.open(uri, text);
        const items = await client.completion(uri, { line: 1, character: 17 });
        const detail = (label: string) => items.find(i => i.label === label)?.detail;
        assert.equal(detail('effective_addr'), 'effective_addr: u32');
        assert.equal(detail('offset'), 'offset: u64');
        assert.equal(detail('arg0'), 'arg0: u32');
        assert.equal(detail('fid'), 'fid: u32');
        assert.ok(!items.some(i => i.label === 'res0'), 'res0 exists only in after probes');
        assert.ok(items.some(i => i.label === 'drop_args'), 'bound functions are offered');
    });

    test('in an after probe res0 is offered; a still-unclosed body works', async () => {
        const uri = uriFor('complete-after.mm');
        const text = 'var total: u64;\nwasm:opcode:i64.load:after {\n    total = ';
        await client.open(uri, text);
        const items = await client.completion(uri, { line: 2, character: 12 });
        assert.equal(items.find(i => i.label === 'res0')?.detail, 'res0: i64');
        assert.equal(items.find(i => i.label === 'total')?.detail, 'var total: u64');
    });

    test('types after `:`, string methods after `.`, snippets at the top level', async () => {
        const uri = uriFor('complete-misc.mm');
        await client.open(uri, 'wasm:func:entry {\n    var x: \n}\n');
        const types = (await client.completion(uri, { line: 1, character: 11 })).map(i => i.label);
        for (const t of ['u32', 'i64', 'f64', 'bool', 'str', 'map']) assert.ok(types.includes(t), `missing type ${t}`);
        await client.change(uri, 'wasm:func:entry / fname. / { }\n');
        const methods = (await client.completion(uri, { line: 0, character: 24 })).map(i => i.label).sort();
        assert.deepEqual(methods, ['addr', 'contains', 'ends_with', 'len', 'starts_with']);
        await client.change(uri, 'wasm:begin { }\n\n');
        const top = await client.completion(uri, { line: 1, character: 0 });
        assert.ok(top.some(i => i.kind === 15 /* Snippet */ && i.label.startsWith('probe')), 'probe snippets');
        assert.ok(top.some(i => i.label === 'wasm'), 'the provider');
        assert.ok(top.some(i => i.label === 'use'), 'top-level keywords');
    });
});

describe('navigation and editing features over LSP', () => {
    const text = [
        'report var count: u32;',
        'fn bump(by: u32) -> u32 { return count + by; }',
        'wasm:opcode:i32.load:before / fid == 1 / {',
        '    count = bump(1);',
        '    var where: u32 = effective_addr;',
        '    count = count + where;',
        '}',
        '',
    ].join('\n');
    let uri: string;
    before(async () => {
        uri = uriFor('nav.mm');
        assert.deepEqual(await client.open(uri, text), []);
    });

    test('hover shows the type and doc of a bound variable, a variable and an event', async () => {
        const bound = await client.hover(uri, positionOf(text, 'effective_addr', 3));
        const value = (bound?.contents as { value: string }).value;
        assert.match(value, /effective_addr: u32/);
        assert.match(value, /dynamic/);
        const v = await client.hover(uri, positionOf(text, 'count = count', 9));
        assert.match((v?.contents as { value: string }).value, /report var count: u32/);
        const ev = await client.hover(uri, positionOf(text, 'i32.load', 2));
        assert.match((ev?.contents as { value: string }).value, /wasm:opcode:i32\.load/);
        const fn = await client.hover(uri, positionOf(text, 'bump(1)'));
        assert.match((fn?.contents as { value: string }).value, /fn bump\(by: u32\) -> u32/);
    });

    test('go to definition jumps to the declaration', async () => {
        const def = await client.definition(uri, positionOf(text, 'where;', 1));
        const loc = Array.isArray(def) ? def[0] : def;
        const target = (loc as { targetSelectionRange?: Range; range?: Range }).targetSelectionRange ?? (loc as { range: Range }).range;
        assert.deepEqual(target.start, positionOf(text, 'where: u32'));
    });

    test('find references lists every use of a variable', async () => {
        const refs = await client.references(uri, positionOf(text, 'count'), true);
        // declaration + `count + by` + `count = bump` + `count = count + where` (twice)
        assert.equal(refs?.length, 5);
    });

    test('rename changes the declaration and every reference', async () => {
        const edit = await client.rename(uri, positionOf(text, 'count'), 'hits');
        const edits = edit?.changes?.[uri] ?? [];
        const renamed = applyEdits(text, edits);
        assert.ok(!/\bcount\b/.test(renamed), renamed);
        assert.equal((renamed.match(/\bhits\b/g) ?? []).length, 5);
    });

    test('document symbols name probes by their rule', async () => {
        const symbols = await client.symbols(uri);
        const names = (symbols ?? []).map(s => s.name);
        assert.deepEqual(names, ['count', 'bump', 'wasm:opcode:i32.load:before']);
        const probe = symbols!.find(s => s.name.startsWith('wasm'))!;
        assert.deepEqual(probe.children?.map(c => c.name), ['where']);
    });

    test('folding ranges cover multi-line probes', async () => {
        const ranges = await client.folding(uri);
        assert.ok(ranges?.some(r => r.startLine === 2 && r.endLine >= 5), JSON.stringify(ranges));
    });

    test('semantic tokens classify rule parts and names by what they resolve to', async () => {
        const tokens = await client.semanticTokens(uri);
        const data = tokens?.data ?? [];
        // Decode the relative encoding (deltaLine, deltaStart, length, type, modifiers).
        const decoded: { line: number; char: number; length: number; type: string; mods: string[] }[] = [];
        let line = 0, char = 0;
        for (let i = 0; i < data.length; i += 5) {
            line += data[i];
            char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
            const mods = legend.tokenModifiers.filter((_, bit) => (data[i + 4] >> bit) & 1);
            decoded.push({ line, char, length: data[i + 2], type: legend.tokenTypes[data[i + 3]], mods });
        }
        const at = (needle: string, delta = 0) => {
            const p = positionOf(text, needle, delta);
            return decoded.find(t => t.line === p.line && t.char === p.character);
        };
        assert.equal(at('i32.load')?.type, 'event');
        assert.equal(at('i32.load')?.length, 'i32.load'.length);
        assert.equal(at('before')?.type, 'keyword');
        assert.equal(at('wasm')?.type, 'namespace');
        assert.equal(at('effective_addr')?.type, 'variable');
        assert.ok(at('effective_addr')?.mods.includes('defaultLibrary'));
        assert.equal(at('bump(1)')?.type, 'function');
        assert.equal(at('by;', 0)?.type, 'parameter');
    });

    test('formatting normalises spacing and indentation, and is idempotent', async () => {
        const messy = 'report var   n :u32;\nwasm:opcode:br_if:before/arg0!=0/{n=n+1;if(n>2){n--;}else{ n++ ; }}\n';
        const u = uriFor('fmt.mm');
        await client.open(u, messy);
        const formatted = applyEdits(messy, (await client.formatting(u)) ?? []);
        assert.equal(formatted, [
            'report var n: u32;',
            'wasm:opcode:br_if:before / arg0 != 0 / {',
            '    n = n + 1;',
            '    if (n > 2) {',
            '        n--;',
            '    } else {',
            '        n++;',
            '    }',
            '}',
            '',
        ].join('\n'));
        const u2 = uriFor('fmt2.mm');
        await client.open(u2, formatted);
        assert.deepEqual(await client.formatting(u2), []);
    });

    test('a document with syntax errors is not reformatted', async () => {
        const u = uriFor('fmt-broken.mm');
        await client.open(u, 'wasm:begin { var x: u32 = ; }');
        assert.deepEqual(await client.formatting(u), []);
    });
});

describe('formatting the corpus over LSP', () => {
    test('every corpus .mm: only whitespace changes, comments kept, still valid, idempotent', { skip: SKIP_NO_SHARED }, async () => {
        const files = [...listFiles(sharedPath('conformance', 'suite'), '.mm'), ...listFiles(sharedPath('bench', 'monitors'), '.mm')];
        const strip = (s: string) => s.replace(/\s+/g, '');
        const comments = (s: string) => (s.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? []).map(c => c.trim());
        const problems: string[] = [];
        for (const f of files) {
            const text = fs.readFileSync(f, 'utf8');
            const u = uriFor(path.basename(f));
            await client.open(u, text);
            const out = applyEdits(text, (await client.formatting(u)) ?? []);
            client.close(u);
            const u2 = uriFor(path.basename(f));
            const diags = await client.open(u2, out);
            const again = applyEdits(out, (await client.formatting(u2)) ?? []);
            client.close(u2);
            const name = path.relative(sharedPath(), f);
            if (strip(out) !== strip(text)) problems.push(`${name}: non-whitespace changed`);
            if (comments(out).join('\n') !== comments(text).join('\n')) problems.push(`${name}: comments changed`);
            if (diags.some(d => d.severity === 1)) problems.push(`${name}: errors after formatting`);
            if (again !== out) problems.push(`${name}: not idempotent`);
        }
        assert.deepEqual(problems, []);
    });
});
