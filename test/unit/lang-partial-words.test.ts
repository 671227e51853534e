// A word being typed in a script gives one clear error at that word (never the same one twice), and the
// items after it are still parsed and checked, as the editor and `whamm instr` report them.
import '../../server/src/polyfill.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { parseScript } from '../../server/src/language/parse.js';

async function diagnostics(text: string): Promise<{ text: string; diags: Diagnostic[]; probes: number }> {
    const p = await parseScript(text);
    return { text, diags: p.diagnostics, probes: p.script.items.filter(i => i.$type === 'Probe').length };
}

/** The text a diagnostic covers. */
function covered(text: string, d: Diagnostic): string {
    const lines = text.split('\n');
    return lines[d.range.start.line].substring(d.range.start.character, d.range.end.line === d.range.start.line ? d.range.end.character : undefined);
}

const errors = (ds: Diagnostic[]) => ds.filter(d => d.severity === 1);
const INCOMPLETE = (w: string) => `Incomplete statement at \`${w}\`: a statement ends with \`;\``;

test('a partial word alone in a probe body: one error, at the word', async () => {
    const r = await diagnostics('wasm:opcode:call:before { cou }');
    assert.deepEqual(r.diags.map(d => [d.severity, covered(r.text, d), d.message]), [[1, 'cou', INCOMPLETE('cou')]]);
});

test('a partial word after or before other statements, on its own line, or at the top level', async () => {
    for (const [text, word] of [
        ['var count: u32;\nwasm:opcode:call:before { count++; cou }', 'cou'],
        ['var count: u32;\nwasm:opcode:call:before {\n    cou\n    count++;\n}', 'cou'],
        ['var count: u32;\ncou\nwasm:opcode:call:before { count++; }', 'cou'],
        ['wasm:opcode:call:before { print("x") }', 'print'],
        ['wasm:opcode:call:before { 12 }', '12'],
    ] as const) {
        const r = await diagnostics(text);
        assert.deepEqual(r.diags.map(d => [covered(text, d), d.message]), [[word, INCOMPLETE(word)]], text);
        assert.equal(r.probes, 1, `the probe is still parsed: ${text}`);
    }
});

test('the items after an incomplete statement are still parsed and checked', async () => {
    const text = 'wasm:opcode:call:before { cou }\nwasm:opcode:br_if:before { missing++; }\nwasm:opcode:i32.load:before { f(1, (2 }\nwasm:opcode:i32.store:before { other++; }';
    const r = await diagnostics(text);
    assert.equal(r.probes, 4);
    assert.deepEqual(errors(r.diags).map(d => [covered(text, d), d.message]).sort(), [
        ['cou', INCOMPLETE('cou')],
        ['f', INCOMPLETE('f')],
        ['missing', 'Unknown name `missing`'],
        ['other', 'Unknown name `other`'],
    ]);
});

test('partial words elsewhere: one error each, at the word', async () => {
    for (const [text, word, message] of [
        ['wasm:opcode:call:before / fi / { }', 'fi', 'Unknown name `fi`'],
        ['wasm:opcode:call:before { var x: u32 = cou; x++; }', 'cou', 'Unknown name `cou`'],
        ['wasm:opcode:call:before { var x: u3 }', 'u3', 'Unknown type `u3`: did you mean `u32`?'],
        ['wasm:opcode:call:before { var }', '}', 'Expected a name but found `}`'],
    ] as const) {
        const r = await diagnostics(text);
        assert.deepEqual(errors(r.diags).map(d => [covered(text, d), d.message]), [[word, message]], text);
        assert.ok(!r.diags.some(d => String(d.message).includes('undefined')), `${text}: ${r.diags.map(d => d.message).join(' | ')}`);
    }
});

test('no diagnostic is reported twice, whatever is being typed', async () => {
    const full = 'var count: u32;\nwasm:opcode:call:before / fid == 3 / { count++; if (count > 2) { count = 0; } }\n';
    // Every prefix of the script, as typed character by character.
    for (let i = 1; i <= full.length; i++) {
        const text = full.slice(0, i);
        const r = await diagnostics(text);
        const keys = r.diags.map(d => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);
        assert.equal(new Set(keys).size, keys.length, `${JSON.stringify(text)}: ${keys.join(' | ')}`);
        const syntax = r.diags.filter(d => (d.data as { code?: string } | undefined)?.code === 'parsing-error');
        const at = new Set(syntax.map(d => `${d.range.start.line}:${d.range.start.character}`));
        assert.equal(at.size, syntax.length, `one syntax error per place: ${JSON.stringify(text)}: ${keys.join(' | ')}`);
    }
});
