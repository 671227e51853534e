// Incomplete documents as an editor produces them while typing: checking, completion and hover at every
// offset must never throw (bad input gets a diagnostic, not a crash).
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript } from '../../server/src/language/parse.js';
import { WhammCompletionProvider } from '../../server/src/language/lsp/completion.js';
import { WhammHoverProvider } from '../../server/src/language/lsp/hover.js';
import { WhammDocumentSymbolProvider } from '../../server/src/language/lsp/symbols.js';
import { LspClient } from '../support/lsp-client.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

// ---- text that used to kill the language server (each was a server exit or a thrown request) ----

const deep = (open: string, inner: string, close: string, n: number) => open.repeat(n) + inner + close.repeat(n);
const inProbe = (expr: string) => `wasm:opcode:br_if:before {\n    var x: u32 = ${expr};\n    x++;\n}\n`;

/** Each trigger, with what the user must be told instead of a crash. */
const TRIGGERS: Array<{ name: string; text: string; message: RegExp }> = [
    { name: '`x =+;` (parser recovery threw)', text: 'wasm:opcode:call:before { x =+; }', message: /Unexpected `\+`/ },
    { name: '`/ < /`', text: '/ < /', message: /./ },
    { name: '140 nested parentheses', text: inProbe(deep('(', '1', ')', 140)), message: /Nesting too deep/ },
    { name: '181 nested ifs', text: `wasm:begin { ${deep('if (true) { ', '', '}', 181)} }`, message: /Nesting too deep/ },
    { name: '470 `!`', text: 'wasm:begin { var b: bool = ' + '!'.repeat(470) + 'true; b = b; }', message: /Nesting too deep/ },
    { name: '2,000-term `1+1+…`', text: inProbe(Array(2000).fill('1').join('+')), message: /Expression too long/ },
    { name: '100,000-term `1+1+…`', text: inProbe(Array(100_000).fill('1').join('+')), message: /Expression too long/ },
    { name: '3,000 chained indexes', text: 'report var m: map<u32, u32>;\n' + inProbe('m' + '[1]'.repeat(3000)), message: /Expression too long/ },
    { name: '1,000 chained casts', text: inProbe('1' + ' as u32'.repeat(1000)), message: /Expression too long/ },
    { name: '500 nested `?:`', text: inProbe('true ? 1 : '.repeat(500) + '2'), message: /Nesting too deep/ },
    { name: '400 `else if`', text: 'wasm:begin { if (true) {} ' + 'else if (true) {} '.repeat(400) + '}', message: /Nesting too deep/ },
    { name: '400 top-level `else if`', text: 'if (true) {} ' + 'else if (true) {} '.repeat(400) + '\nwasm:begin { }', message: /Nesting too deep/ },
    { name: '300 nested map types', text: 'var m: ' + 'map<u32, '.repeat(300) + 'u32' + ' >'.repeat(300) + ';\nwasm:begin { }', message: /Nesting too deep/ },
    { name: '200 nested tuple types', text: `var t: ${deep('(', 'u32', ', u32)', 200)};\nwasm:begin { }`, message: /Nesting too deep/ },
    { name: '500 nested calls', text: inProbe(deep('f(', '1', ')', 500)), message: /Nesting too deep/ },
    { name: '1,000 `@static`', text: 'wasm:begin { ' + '@static '.repeat(1000) + 'f(); }', message: /Nesting too deep/ },
    { name: '10,000 unclosed `{`', text: 'wasm:begin ' + '{'.repeat(10_000), message: /Nesting too deep/ },
    { name: 'a 5 MB string literal', text: `wasm:begin { var s: str = "${'a'.repeat(5_000_000)}"; s = s; }`, message: /Script too large/ },
];

test('every trigger is a diagnostic, never a thrown parse, and the other items are still checked', async () => {
    for (const { name, text, message } of TRIGGERS) {
        // A second item with its own error: it must still be reported (the guard blanks only the bad item).
        // (Only after a complete item: an unclosed `{` or a stray `/` swallows what follows, as it should.)
        const withNeighbour = text.length < 1_000_000 && /}\s*$/.test(text) ? `${text}\nwasm:end { undeclared_name++; }\n` : text;
        const parsed = await parseScript(withNeighbour);
        const messages = parsed.diagnostics.map(d => String(d.message));
        assert.ok(messages.some(m => message.test(m)), `${name}: expected ${message}, got ${JSON.stringify(messages.slice(0, 3))}`);
        if (withNeighbour !== text) assert.ok(messages.some(m => /undeclared_name/.test(m)), `${name}: the next probe is still checked`);
        assert.ok(!messages.some(m => /internal error/i.test(m)), `${name}: no internal error`);
        assert.ok(!messages.some(m => /at least one probe/.test(m)), `${name}: the probe left out is not also reported missing`);
    }
});

test('just under the limits, the whole pipeline takes the deepest scripts the guard lets through', async () => {
    const { MAX_NESTING, MAX_CHAIN } = await import('../../server/src/language/parse-guard.js');
    const n = MAX_NESTING - 2;
    const texts = [
        inProbe(deep('(', '1', ')', n)),
        `wasm:begin { ${deep('if (true) { ', 'var q: u32 = 1; q++;', '}', n)} }`,
        'wasm:begin { var b: bool = ' + '!'.repeat(n) + 'true; b = b; }',
        inProbe(Array(Math.floor(MAX_CHAIN / 2)).fill('1').join(' + ')),
        'report var m: map<u32, u32>;\n' + inProbe('m' + '[1]'.repeat(MAX_CHAIN - 10)),
        inProbe('1' + ' as u32'.repeat(MAX_CHAIN - 10)),
        inProbe('true ? 1 : '.repeat(n) + '2'),
    ];
    const symbols = new WhammDocumentSymbolProvider();
    for (const text of texts) {
        const parsed = await parseScript(text);
        const messages = parsed.diagnostics.map(d => String(d.message));
        assert.ok(!messages.some(m => /Nesting too deep|Expression too long|internal error/i.test(m)), JSON.stringify(messages.slice(0, 3)));
        symbols.getSymbols(parsed.document);
    }
});

test('documentSymbol answers on partial scripts', async () => {
    const symbols = new WhammDocumentSymbolProvider();
    for (const text of [...INPUTS, 'fn', 'fn (', 'fn f(', 'var', 'var : u32;', 'use', 'report var', 'wasm:begin { if', 'wasm:begin { if (x) { var', 'wasm:begin { if (x) {} else if', 'wasm:begin { if (x) {} elif (y']) {
        const parsed = await parseScript(text);
        for (const s of symbols.getSymbols(parsed.document)) assert.ok(typeof s.name === 'string' && s.name.length > 0, `symbol without a name in ${JSON.stringify(text)}`);
    }
});

test('over LSP: the server survives every trigger and keeps answering every request', { timeout: 180_000 }, async () => {
    const client = new LspClient();
    try {
        await client.initialize();
        const uri = 'file:///robustness/trigger.mm';
        await client.open(uri, 'wasm:begin { }');
        for (const { name, text, message } of TRIGGERS) {
            const diagnostics = await client.change(uri, text);
            assert.ok(diagnostics.some(d => message.test(String(d.message))), `${name}: ${JSON.stringify(diagnostics.slice(0, 2).map(d => d.message))}`);
            const position = { line: 0, character: 5 };
            await client.symbols(uri);
            await client.hover(uri, position);
            await client.completion(uri, position);
            await client.semanticTokens(uri);
            await client.formatting(uri);
            await client.folding(uri);
            assert.equal(client.exited, false, `server exited on ${name}`);
        }
        assert.doesNotMatch(client.stderr, /^\s+at /m, 'no stack trace logged');
    } finally {
        await client.shutdown();
    }
});

test('over LSP: Objective-C++ and unparsable .mm files in the workspace neither stop start-up nor get analysed', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-ws-'));
    fs.writeFileSync(path.join(dir, 'View.mm'), '#import <UIKit/UIKit.h>\n@implementation View\n- (void)draw { std::vector<int> v; }\n@end\n');
    fs.writeFileSync(path.join(dir, 'broken.mm'), 'wasm:opcode:call:before { x =+; }' + '('.repeat(5000));
    const client = new LspClient();
    try {
        await client.initialize(dir);
        const objc = `file://${dir}/View.mm`;
        void client.open(objc, fs.readFileSync(path.join(dir, 'View.mm'), 'utf8'), 'objective-cpp');
        const uri = `file://${dir}/script.mm`;
        const diagnostics = await client.open(uri, 'report var n: u32;\nwasm:opcode:br_if:before { n++; }\n');
        assert.deepEqual(diagnostics.filter(d => d.severity === 1), []);
        assert.equal(client.published(objc), undefined, 'a document opened as Objective-C++ is not analysed');
        assert.equal(client.published(`file://${dir}/broken.mm`), undefined, 'closed workspace files are not analysed');
        assert.ok((await client.symbols(uri))?.length, 'the server answers');
        assert.doesNotMatch(client.stderr, /WorkspaceManager/);
    } finally {
        await client.shutdown();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('over LSP: scripts without a file name extension (untitled, another extension set to Whamm) opened and closed leave the server answering', { timeout: 60_000 }, async () => {
    const client = new LspClient();
    try {
        await client.initialize();
        // A new script is untitled until saved; any file can be switched to the Whamm language.
        for (const uri of ['untitled:Untitled-1', 'file:///scratch/notes.txt']) {
            const early = await client.open(uri, 'wasm:opcode:call:before { missing++; }');
            assert.deepEqual(early.map(d => d.message), ['Unknown name `missing`'], uri);
            client.close(uri);
        }
        // Each later edit of another script is still analysed, and its requests answered.
        const uri = 'file:///scratch/script.mm';
        assert.deepEqual((await client.open(uri, 'wasm:opcode:call:before { other++; }')).map(d => d.message), ['Unknown name `other`']);
        assert.deepEqual((await client.change(uri, 'var other: u32;\nwasm:opcode:call:before { other++; }')).map(d => d.message), []);
        assert.equal((await client.symbols(uri))?.length, 2);
        assert.doesNotMatch(client.stderr, /failed/);
    } finally {
        await client.shutdown();
    }
});
