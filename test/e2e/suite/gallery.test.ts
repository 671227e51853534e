import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openWhamm, sleep, waitFor, workspaceDir, type WhammApi } from './helpers.js';

type GalleryApi = WhammApi & { walkthroughDone(): string[] };

describe('gallery and walkthrough', () => {
    let api: GalleryApi;
    before(async () => {
        api = (await activateExtension()).api as GalleryApi;
        await api.serverReady;
    });

    it('New Script from Template opens the named monitor as an untitled Whamm script', async function () {
        this.timeout(60000);
        const editor = await vscode.commands.executeCommand<vscode.TextEditor>('whamm.newScriptFromTemplate', 'hotness');
        assert.ok(editor, 'an editor opened');
        assert.equal(editor.document.isUntitled, true, 'nothing is written to disk');
        assert.equal(editor.document.languageId, 'whamm');
        assert.match(editor.document.getText(), /title: Hotness/);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('New Script from Template without a name offers the gallery in a quick pick', async function () {
        this.timeout(60000);
        const pending = vscode.commands.executeCommand<vscode.TextEditor | undefined>('whamm.newScriptFromTemplate');
        await sleep(3000);
        // The list is sorted by monitor name; accept the first entry.
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        const editor = await pending;
        assert.ok(editor, 'picking an entry opens it');
        assert.match(editor.document.getText(), /title: Cache simulation/);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('the walkthrough steps are detected: a script opened, a run, its report', async function () {
        this.timeout(120000);
        await openWhamm('count-br_if.mm', true);
        await waitFor('script step', () => api.walkthroughDone().includes('whamm.walkthrough.scriptOpened') || undefined);
        const outcome = await vscode.commands.executeCommand<{ phase: string; exitCode: number | null }>('whamm.instrumentAndRun',
            fixtureUri('count-br_if.mm'), { app: path.join(workspaceDir(), 'app.wasm'), quiet: true });
        assert.equal(outcome?.phase, 'run');
        await waitFor('run and report steps', () => {
            const done = api.walkthroughDone();
            return done.includes('whamm.walkthrough.ran') && done.includes('whamm.walkthrough.reportShown') || undefined;
        });
    });
});
