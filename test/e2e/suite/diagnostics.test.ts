import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, describeDiagnostics, openUntitledWhamm, openWhamm, sleep, waitForDiagnostics } from './helpers.js';

// errors.mm holds three independent mistakes; each must be reported with a range covering exactly the
// offending token and a message naming it.
const EXPECTED: { token: string; line: number; why: string }[] = [
    { token: 'br_iff', line: 4, why: 'an event name that matches no event' },
    { token: 'undeclared_count', line: 9, why: 'an undeclared variable' },
    { token: 'res0', line: 13, why: 'res0 is only bound in after probes' },
];

describe('diagnostics', function () {
    // Seen flaky in full development-mode runs on a loaded machine (a freshly opened script's diagnostics
    // late); each retry opens a new document.
    this.retries(2);
    before(async () => { await (await activateExtension()).api.serverReady; });

    it('a .mm with errors gets one error per mistake, each with a precise range and message', async () => {
        const doc = await openWhamm('errors.mm', true);
        const diags = await waitForDiagnostics(doc.uri, EXPECTED.length);
        const listing = describeDiagnostics(doc, diags);
        // Exactly one each: also catches a second language client publishing the same diagnostics.
        assert.equal(diags.length, EXPECTED.length, listing);
        for (const e of EXPECTED) {
            const d = diags.find(x => x.range.start.line === e.line - 1 && doc.getText(x.range) === e.token);
            assert.ok(d, `expected a diagnostic on "${e.token}" at line ${e.line} (${e.why}); got:\n${listing}`);
            assert.equal(d.severity, vscode.DiagnosticSeverity.Error, `severity of "${e.token}"`);
            assert.ok(d.message.includes(e.token), `message for "${e.token}" should name it: ${d.message}`);
        }
    });

    it('a valid .mm has zero diagnostics', async () => {
        const doc = await openWhamm('valid.mm');
        // The server publishes an empty list for a clean file; give it time to do so, then check.
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) await sleep(250);
        const diags = vscode.languages.getDiagnostics(doc.uri);
        assert.equal(diags.length, 0, `valid.mm:\n${describeDiagnostics(doc, diags)}`);
    });

    it('a syntax error is reported and recovery keeps later errors visible', async () => {
        const doc = await openUntitledWhamm('var a: u32 = ;\nwasm:opcode:br_if:before {\n    a = nope;\n}\n');
        const diags = await waitForDiagnostics(doc.uri, 2);
        const listing = describeDiagnostics(doc, diags);
        assert.ok(diags.some(d => d.range.start.line === 0), `syntax error on line 1 expected:\n${listing}`);
        assert.ok(diags.some(d => d.range.start.line === 2 && doc.getText(d.range) === 'nope'), `"nope" on line 3 expected:\n${listing}`);
    });

    it('fixing the mistake clears its diagnostic', async () => {
        const doc = await openUntitledWhamm('wasm:opcode:br_if:before {\n    x++;\n}\n');
        await waitForDiagnostics(doc.uri, 1);
        const editor = await vscode.window.showTextDocument(doc);
        await editor.edit(b => b.insert(new vscode.Position(0, 0), 'var x: u32;\n'));
        const deadline = Date.now() + 15000;
        while (vscode.languages.getDiagnostics(doc.uri).length > 0 && Date.now() < deadline) await sleep(100);
        assert.equal(vscode.languages.getDiagnostics(doc.uri).length, 0, describeDiagnostics(doc, vscode.languages.getDiagnostics(doc.uri)));
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
});
