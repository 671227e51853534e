import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, completionLabels, openUntitledWhamm } from './helpers.js';

describe('completion', () => {
    before(async () => { await (await activateExtension()).api.serverReady; });

    it('after `wasm:opcode:` offers opcode events such as br_if and i32.load', async () => {
        const doc = await openUntitledWhamm('wasm:opcode:');
        const { labels } = await completionLabels(doc, new vscode.Position(0, 'wasm:opcode:'.length));
        for (const want of ['br_if', 'i32.load']) {
            assert.ok(labels.includes(want), `"${want}" missing from ${labels.length} items: ${labels.slice(0, 40).join(', ')}`);
        }
    });

    it('inside `wasm:opcode:i32.load:before { }` offers effective_addr and arg0 but not res0', async () => {
        const text = 'wasm:opcode:i32.load:before {\n    \n}\n';
        const doc = await openUntitledWhamm(text);
        const { labels, items } = await completionLabels(doc, new vscode.Position(1, 4));
        assert.ok(labels.includes('effective_addr'), `effective_addr missing: ${labels.slice(0, 60).join(', ')}`);
        assert.ok(labels.includes('arg0'), `arg0 missing: ${labels.slice(0, 60).join(', ')}`);
        assert.ok(!labels.includes('res0'), 'res0 is bound only in after probes and must not be offered in a before probe');
        // The issue asks for the type with the variable (`effective_addr: u32`): in the label detail or the detail.
        const ea = items.find(i => (typeof i.label === 'string' ? i.label : i.label.label) === 'effective_addr')!;
        const typeText = [typeof ea.label === 'string' ? '' : `${ea.label.detail ?? ''} ${ea.label.description ?? ''}`, ea.detail ?? ''].join(' ');
        assert.match(typeText, /\bu32\b/, `effective_addr should show its type u32; got "${typeText.trim()}"`);
    });
});
