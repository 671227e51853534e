import * as vscode from 'vscode';
import { activateExtension, openWhamm, sleep, describeDiagnostics } from './helpers.js';
describe('dupcheck', function () {
    this.timeout(60000);
    it('dupcheck', async () => {
        const { api } = await activateExtension(); await api.serverReady;
        const doc = await openWhamm('errors.mm', true);
        await sleep(3000);
        console.log('DUP before', vscode.languages.getDiagnostics(doc.uri).length);
        const cfg = vscode.workspace.getConfiguration('whamm');
        await cfg.update('app', 'app.wasm', vscode.ConfigurationTarget.Workspace);
        await sleep(4000);
        console.log('DUP after app', vscode.languages.getDiagnostics(doc.uri).length, describeDiagnostics(doc, vscode.languages.getDiagnostics(doc.uri)).replace(/\n/g, ' | '));
        await cfg.update('app', undefined, vscode.ConfigurationTarget.Workspace);
        await sleep(4000);
        console.log('DUP after unset', vscode.languages.getDiagnostics(doc.uri).length);
        const all = vscode.languages.getDiagnostics().map(([u, d]) => `${u.toString()}:${d.length}`);
        console.log('DUP all', all.join(' '));
        console.log('DUP started', (api.outputText().match(/language server started/g) ?? []).length);
        require('fs').appendFileSync(process.env.WHAMM_E2E_LOG!, `DUP: ${vscode.languages.getDiagnostics(doc.uri).length} all=${all.join(' ')} started=${(api.outputText().match(/language server started/g) ?? []).length}\n`);
    });
});
