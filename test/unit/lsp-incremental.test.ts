// The editor features on a document edited incrementally equal those on the same text opened afresh: an edit
// near the start adds lines and columns, so every later item's nodes are moved (incremental-parse.ts); the
// outline, folding, semantic tokens, formatting, hover, definition, references and diagnostics must not
// notice. Runs the bundled server over stdio, as an editor does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { LspClient } from '../support/lsp-client.js';
import { generate } from '../bench/lsp.bench.js';

test('LSP features after incremental edits equal those of a fresh open of the same text', { timeout: 300_000 }, async () => {
    const client = new LspClient();
    try {
        await client.initialize();
        const base = generate(200);
        const edited = base.replace('fn helper1(a: u32, b: u32) -> u32 {', 'fn helper1(a: u32, b: u32) -> u32 {\n    var extra: u32 = a;\n    extra++;')
            .replace('report var total: u64;', '  report var total: u64;  ');
        assert.notEqual(edited, base);
        const a = 'file:///incremental/a.mm';
        const b = 'file:///incremental/b.mm';
        await client.open(a, base);
        const da = await client.change(a, edited);
        const db = await client.open(b, edited);
        assert.deepEqual(da, db);
        assert.deepEqual(await client.symbols(a), await client.symbols(b));
        assert.deepEqual(await client.folding(a), await client.folding(b));
        assert.deepEqual((await client.semanticTokens(a))?.data, (await client.semanticTokens(b))?.data);
        assert.deepEqual(await client.formatting(a), await client.formatting(b));
        const lines = edited.split('\n');
        const positions = [
            ...['total = total + (helper', 'sites[key]++', 'hits5++', 'fn helper7'].map(s => {
                const line = lines.findIndex(l => l.includes(s));
                return { line, character: lines[line].indexOf(s) + 2 };
            }),
        ];
        for (const position of positions) {
            const strip = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll('/a.mm', '/X.mm').replaceAll('/b.mm', '/X.mm'));
            assert.deepEqual(strip(await client.hover(a, position)), strip(await client.hover(b, position)));
            assert.deepEqual(strip(await client.definition(a, position)), strip(await client.definition(b, position)));
            assert.deepEqual(strip(await client.references(a, position)), strip(await client.references(b, position)));
            const ca = await client.completion(a, position);
            assert.deepEqual(ca.map(i => i.label).sort(), (await client.completion(b, position)).map(i => i.label).sort());
        }
        assert.ok(((await client.references(a, positions[0])) ?? []).length > 1, 'references to `total` are found in many items');
    } finally {
        await client.shutdown();
    }
});
