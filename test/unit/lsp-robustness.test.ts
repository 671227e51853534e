// Incomplete documents as an editor produces them while typing: checking, completion and hover at every
// offset must never throw (bad input gets a diagnostic, not a crash).
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript } from '../../server/src/language/parse.js';
import { WhammCompletionProvider } from '../../server/src/language/lsp/completion.js';
import { WhammHoverProvider } from '../../server/src/language/lsp/hover.js';

const INPUTS = [
    '',
    '// only a comment',
    '/* unterminated /* nested */',
    'wasm:opcode:',
    'wasm:opcode:br_if:before {',
    'wasm:opcode:br_if:before / fid == / { }',
    'wasm:opcode:call(arg0: :before { }',
    'wasm:opcode:br_if:before { if (arg0 != 0) }',
    'wasm:opcode:br_if:before { if (arg0 != 0) { } elif ( { } else }',
    'wasm:begin { var s: str = "unterminated; }',
    'fn f(a: u32 -> u32 { return a }',
    'use ; wasm:begin { x. }',
    'wasm:begin { var t: (u32, = (1,; t.; m[ }',
    'report var m: map<u32, ; wasm:func:entry { m[fid]++ }',
    'wasm:opcode:*:before { @static . ; drop_args( }',
];

test('checking, completion and hover never throw on incomplete scripts', async () => {
    const completion = new WhammCompletionProvider();
    const hover = new WhammHoverProvider();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => { errors.push(args); };
    try {
        for (const text of INPUTS) {
            const parsed = await parseScript(text);
            if (text.trim() !== '' && !text.startsWith('//')) assert.ok(parsed.diagnostics.length > 0, `no diagnostic for ${JSON.stringify(text)}`);
            const uri = parsed.document.uri.toString();
            for (let offset = 0; offset <= text.length; offset++) {
                const position = parsed.document.textDocument.positionAt(offset);
                completion.getCompletion(parsed.document, { textDocument: { uri }, position });
                hover.getHoverContent(parsed.document, { textDocument: { uri }, position });
            }
        }
    } finally {
        console.error = original;
    }
    assert.deepEqual(errors, [], 'no validation error was logged');
});
