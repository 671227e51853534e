import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, openWhamm } from './helpers.js';

describe('activation', () => {
    it('opening a .mm file gives it the whamm language and activates the extension', async () => {
        const doc = await openWhamm('valid.mm');
        assert.equal(doc.languageId, 'whamm');
        const ext = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(ext, `${EXTENSION_ID} must be present`);
        // onLanguage:whamm activates it; give the activation event a moment to fire.
        const { api } = await activateExtension();
        assert.equal(ext.isActive, true);
        await api.serverReady;
        assert.equal(api.serverState(), 'running');
    });

    it('runs the build the runner asked for (development folder or the installed .vsix)', () => {
        const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
        const mode = process.env.WHAMM_E2E_MODE;
        const expected = process.env.WHAMM_E2E_EXTENSION_ROOT;
        if (mode === 'vsix') {
            assert.ok(expected, 'the vsix runner sets WHAMM_E2E_EXTENSION_ROOT to the extensions folder');
            assert.ok(path.resolve(ext.extensionPath).startsWith(path.resolve(expected) + path.sep),
                `installed extension expected under ${expected}, got ${ext.extensionPath}`);
        } else if (mode === 'dev' && expected) {
            assert.equal(path.resolve(ext.extensionPath), path.resolve(expected));
        }
        const pkg = ext.packageJSON as { contributes: { commands: { command: string }[] } };
        const contributed = new Set(pkg.contributes.commands.map(c => c.command));
        for (const c of ['whamm.instrumentAndRun', 'whamm.newScript', 'whamm.restartServer', 'whamm.selectApp', 'whamm.showOutput']) {
            assert.ok(contributed.has(c), `package.json of the loaded extension must contribute ${c}`);
        }
    });

    it('registers every contributed command', async () => {
        const all = new Set(await vscode.commands.getCommands(true));
        for (const c of ['whamm.instrumentAndRun', 'whamm.restartServer', 'whamm.showOutput', 'whamm.selectApp', 'whamm.newScript']) {
            assert.ok(all.has(c), `command ${c} is not registered`);
        }
    });
});
