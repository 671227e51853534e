// The injection preview in a real VS Code: "Whamm: Show Injections" beside a script, the cursor linking
// probes and injected code both ways, next/previous injection, the preview following an unsaved edit, and
// the "matches nothing" warning on a rule (app.wasm from app.wat: one br_if in function 1, two calls in _start, function 2).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, waitFor } from './helpers.js';

interface Mark { startLine: number; endLine: number; probe: number; where: string }
interface Range { line: number; character: number; endLine: number; endCharacter: number }
interface State {
    uri: string; updates: number; text: string; marks: Mark[];
    probes: { index: number; rule: string; ruleRange: Range; predicate?: Range; range: Range; noMatch?: string }[];
    focusedLines: number[]; scriptHighlights: Range[]; summary?: string;
    functions: { fid: number; startLine: number; endLine: number; expanded?: boolean }[];
    folded: { fid: number; line: number }[];
}
interface PreviewApi { previewState(script: vscode.Uri): Promise<State | undefined> }

async function screenshot(id: string): Promise<void> {
    const ui = process.env.WHAMM_E2E_UI_DIR;
    if (!ui) return;
    await new Promise(r => setTimeout(r, 1500));
    fs.writeFileSync(path.join(ui, `request-${id}.json`), JSON.stringify({ id, kind: 'screenshot' }));
    await waitFor('the runner to take the screenshot', () => fs.existsSync(path.join(ui, `response-${id}.json`)) ? true : undefined, 60000);
}

describe('injection preview', function () {
    this.timeout(180000);
    let api: PreviewApi;
    const uri = fixtureUri('preview.mm');
    let script: vscode.TextEditor;
    const previewEditor = () => vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'whamm-preview');

    before(async () => {
        const a = await activateExtension();
        await a.api.serverReady;
        api = a.api as unknown as PreviewApi;
        await vscode.workspace.getConfiguration('whamm').update('app', 'app.wasm', vscode.ConfigurationTarget.Workspace);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.commands.executeCommand('workbench.action.closeSidebar');
        script = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false });
    });
    after(async () => {
        await vscode.commands.executeCommand('workbench.action.files.revert');
        await vscode.workspace.getConfiguration('whamm').update('app', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('Show Injections opens the WAT beside the script with the injected code marked per probe', async () => {
        await vscode.commands.executeCommand('whamm.showInjections', uri);
        const st = await waitFor('the preview', async () => { const s = await api.previewState(uri); return s?.marks.length ? s : undefined; }, 60000);
        const lines = st.text.split('\n');
        assert.ok(previewEditor(), 'a preview editor is visible');
        // app.wasm has no name section (the fixture is built without debug names): functions print by index.
        assert.ok(lines.some(l => l.startsWith('(func (;1;)')), st.text);
        assert.ok(lines.some(l => l.startsWith('(func (;2;)')), st.text);
        // br_if once in $count (probe 0), the two calls of _start (probe 1); probe 2 matches nothing.
        assert.deepEqual(st.marks.map(m => m.probe), [0, 1, 1]);
        assert.match(lines[st.marks[0].endLine + 1], /br_if 0/);
        assert.match(lines[st.marks[1].endLine + 1], /call 0$/);
        assert.match(lines[st.marks[2].endLine + 1], /call 1$/);
        assert.match(st.probes[2].noMatch ?? '', /no `call` site has arg0 of type f64/);
        await screenshot('injection-preview');
    });

    it('the cursor in a probe highlights its injections and lists them per function', async () => {
        const st0 = (await api.previewState(uri))!;
        const p1 = st0.probes[1];
        script = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false });
        const at = new vscode.Position(p1.range.line + 1, 4);
        script.selection = new vscode.Selection(at, at);
        const st = await waitFor('focused injections of probe 1', async () => { const s = await api.previewState(uri); return s?.focusedLines.length ? s : undefined; });
        const expected = st.marks.filter(m => m.probe === 1).flatMap(m => Array.from({ length: m.endLine - m.startLine + 1 }, (_, k) => m.startLine + k));
        assert.deepEqual(st.focusedLines, expected);
        assert.match(st.summary ?? '', /^2 injections in 1 function: func 2 ×2$/);
        await screenshot('injection-preview-probe-focus');
    });

    it('the cursor on injected code highlights the probe and its predicate in the script', async () => {
        const st0 = (await api.previewState(uri))!;
        const ed = previewEditor()!;
        await vscode.window.showTextDocument(ed.document, { viewColumn: ed.viewColumn, preserveFocus: false });
        const mark = st0.marks[1];
        const at = new vscode.Position(mark.startLine, 4);
        previewEditor()!.selection = new vscode.Selection(at, at);
        const st = await waitFor('the probe highlighted in the script', async () => { const s = await api.previewState(uri); return s?.scriptHighlights.length ? s : undefined; });
        assert.deepEqual(st.scriptHighlights, [st.probes[1].ruleRange, st.probes[1].predicate]);
        const doc = script.document;
        const r = st.probes[1].predicate!;
        assert.equal(doc.getText(new vscode.Range(r.line, r.character, r.endLine, r.endCharacter)), 'fid == 2');
    });

    it('next/previous injection step through the injections', async () => {
        const st = (await api.previewState(uri))!;
        const ed = previewEditor()!;
        await vscode.window.showTextDocument(ed.document, { viewColumn: ed.viewColumn, preserveFocus: false });
        previewEditor()!.selection = new vscode.Selection(0, 0, 0, 0);
        const starts = st.marks.map(m => m.startLine);
        const seen: number[] = [];
        for (let i = 0; i < starts.length + 1; i++) seen.push((await vscode.commands.executeCommand<number>('whamm.nextInjection'))!);
        assert.deepEqual(seen, [...starts, starts[0]]);
        assert.equal(previewEditor()!.selection.active.line, starts[0]);
        assert.equal(await vscode.commands.executeCommand<number>('whamm.previousInjection'), starts[starts.length - 1]);
        assert.equal(await vscode.commands.executeCommand<number>('whamm.previousInjection'), starts[starts.length - 2]);
        // The probe of the injection reached is highlighted in the script.
        const after = (await api.previewState(uri))!;
        assert.deepEqual(after.scriptHighlights[0], after.probes[1].ruleRange);
    });

    it('editing a rule (unsaved) updates the preview without a click', async () => {
        const before = (await api.previewState(uri))!;
        script = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false });
        const r = before.probes[0].ruleRange;
        await script.edit(e => e.replace(new vscode.Range(r.line, r.character, r.endLine, r.endCharacter), 'wasm:opcode:call:before'));
        assert.ok(script.document.isDirty);
        const st = await waitFor('the preview to follow the edit', async () => {
            const s = await api.previewState(uri);
            return s && s.updates > before.updates && s.marks.filter(m => m.probe === 0).length === 2 ? s : undefined;
        }, 60000);
        // Probe 0 now lands on both calls of _start, before probe 1's code at each.
        assert.deepEqual(st.marks.map(m => m.probe), [0, 1, 0, 1]);
        // Function 1 has no injections any more: folded to its first line.
        assert.deepEqual(st.folded.map(f => f.fid), [1]);
        assert.match(st.text.split('\n')[st.folded[0].line], /^\(func (\$\S+ )?\(;1;\) \(type \d+\) \(param i32\) \(result i32\) …\)  ;; \d+ instructions$/);
        assert.deepEqual(st.functions.map(f => f.fid), [2]);
        await screenshot('injection-preview-after-edit');
    });

    it('a folded function shows its code on request and folds back', async () => {
        const before = (await api.previewState(uri))!;
        assert.deepEqual(before.folded.map(f => f.fid), [1]);
        const line = await vscode.commands.executeCommand<number>('whamm.toggleFunctionCode', uri.toString(), 1);
        const st = (await api.previewState(uri))!;
        assert.deepEqual(st.folded, []);
        const f1 = st.functions.find(f => f.fid === 1)!;
        assert.ok(f1?.expanded, JSON.stringify(st.functions));
        assert.equal(line, f1.startLine);
        const body = st.text.split('\n').slice(f1.startLine, f1.endLine + 1);
        assert.ok(body.some(l => l.trim() === 'br_if 0'), body.join('\n'));
        assert.ok(!st.marks.some(m => m.startLine >= f1.startLine && m.endLine <= f1.endLine), 'no injections in the unfolded function');
        assert.equal(previewEditor()!.selection.active.line, f1.startLine);
        await screenshot('injection-preview-unfolded');
        await vscode.commands.executeCommand('whamm.toggleFunctionCode', uri.toString(), 1);
        assert.deepEqual((await api.previewState(uri))!.folded.map(f => f.fid), [1]);
    });

    it('a probe that matches nothing is a warning on its rule, with the reason', async () => {
        const diags = await waitFor('the matches-nothing warning', () => {
            const d = vscode.languages.getDiagnostics(uri).filter(x => x.source === 'whamm (app)');
            return d.length ? d : undefined;
        }, 60000);
        assert.equal(diags.length, 1);
        assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Warning);
        assert.match(diags[0].message, /matches nothing in app\.wasm: no `call` site has arg0 of type f64 \(found: i32\)/);
        assert.equal(script.document.getText(diags[0].range), 'wasm:opcode:call(arg0: f64):before');
    });
});
