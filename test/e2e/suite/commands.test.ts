import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, describeDiagnostics, fixtureUri, openUntitledWhamm, waitForDiagnostics, workspaceDir, type WhammApi } from './helpers.js';

interface RunOutcome {
    phase: 'instr' | 'run';
    exitCode: number | null;
    cancelled: boolean;
    stdout: string;
    stderr: string;
    result?: { exitCode: number; report?: { name: string; value?: string }[] };
}

describe('commands', () => {
    let api: WhammApi;
    before(async () => {
        api = (await activateExtension()).api;
        await api.serverReady;
    });

    it('whamm.showOutput shows the Whamm channel, which logged the server start', async () => {
        await vscode.commands.executeCommand('whamm.showOutput');
        assert.match(api.outputText(), /language server started/);
    });

    it('whamm.restartServer brings the server back and it still validates', async () => {
        await vscode.commands.executeCommand('whamm.restartServer');
        assert.equal(api.serverState(), 'running');
        const doc = await openUntitledWhamm('wasm:opcode:br_if:before {\n    missing_after_restart++;\n}\n');
        const diags = await waitForDiagnostics(doc.uri, 1);
        assert.ok(diags.some(d => doc.getText(d.range) === 'missing_after_restart'), describeDiagnostics(doc, diags));
    });

    it('whamm.instrumentAndRun instruments the app, runs it and reports the br_if count', async function () {
        this.timeout(120000);
        const app = path.join(workspaceDir(), 'app.wasm');
        const outcome = await vscode.commands.executeCommand<RunOutcome>('whamm.instrumentAndRun',
            fixtureUri('count-br_if.mm'), { app, quiet: true });
        assert.ok(outcome, 'the command returns its outcome');
        assert.equal(outcome.phase, 'run', `instrumentation failed: ${outcome.stderr}`);
        assert.equal(outcome.exitCode, 0, `run failed: ${outcome.stderr}`);
        assert.equal(outcome.cancelled, false);
        assert.match(outcome.stdout, /hello from app/);
        assert.ok(outcome.result?.report, 'a report was flushed');
        // app.wat's loop executes br_if exactly 5 times (i = 1..5).
        assert.equal(outcome.result.report.find(v => v.name === 'taken')?.value, '5', JSON.stringify(outcome.result));
        assert.match(api.outputText(), /hello from app/, 'the app output reaches the Whamm output channel');
    });

    it('whamm.instrumentAndRun stops at instrumentation when the script is wrong, and says so', async function () {
        this.timeout(60000);
        const app = path.join(workspaceDir(), 'app.wasm');
        const outcome = await vscode.commands.executeCommand<RunOutcome>('whamm.instrumentAndRun',
            fixtureUri('errors.mm'), { app, quiet: true });
        assert.ok(outcome);
        assert.equal(outcome.phase, 'instr');
        assert.notEqual(outcome.exitCode, 0);
        // The CLI must explain the failure by naming what is wrong, not merely exit non-zero.
        assert.doesNotMatch(outcome.stderr, /Cannot find module|MODULE_NOT_FOUND/, 'the bundled CLI must exist and load');
        assert.match(outcome.stderr, /br_iff|undeclared_count|res0/, `stderr should name a mistake of errors.mm:\n${outcome.stderr}`);
    });

    it('whamm.instrumentAndRun gives the app whamm.args and whamm.env, and nothing else', async function () {
        this.timeout(120000);
        const cfg = vscode.workspace.getConfiguration('whamm');
        // whamm.env is the app's: NODE_OPTIONS there must not run code in the CLI's Node.
        const marker = path.join(workspaceDir(), 'node-options-ran');
        const evil = path.join(workspaceDir(), 'node-options.cjs');
        fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
        await cfg.update('args', ['--alpha', 'two words'], vscode.ConfigurationTarget.Workspace);
        await cfg.update('env', { WHAMM_E2E_ECHO: 'beta=gamma', NODE_OPTIONS: `--require ${evil}` }, vscode.ConfigurationTarget.Workspace);
        try {
            const outcome = await vscode.commands.executeCommand<RunOutcome>('whamm.instrumentAndRun',
                fixtureUri('noop.mm'), { app: path.join(workspaceDir(), 'echo.wasm'), quiet: true });
            assert.ok(outcome);
            assert.equal(outcome.phase, 'run', outcome.stderr);
            assert.equal(outcome.exitCode, 0, outcome.stderr);
            // WASI lays arguments and variables out NUL-terminated; echo.wat prints those buffers as they are.
            assert.ok(outcome.stdout.includes('\0--alpha\0two words\0'), `args not passed through: ${JSON.stringify(outcome.stdout.slice(0, 200))}`);
            assert.ok(outcome.stdout.includes('WHAMM_E2E_ECHO=beta=gamma\0'), 'whamm.env not passed to the app');
            assert.ok(outcome.stdout.includes(`NODE_OPTIONS=--require ${evil}\0`), 'NODE_OPTIONS is the app\'s variable');
            assert.doesNotMatch(outcome.stdout, /(^|\0)(PATH|HOME)=/, 'the extension host\'s environment reaches the app');
            assert.equal(fs.existsSync(marker), false, 'NODE_OPTIONS from whamm.env ran code in the CLI');
        } finally {
            fs.rmSync(evil, { force: true });
            fs.rmSync(marker, { force: true });
            await cfg.update('args', undefined, vscode.ConfigurationTarget.Workspace);
            await cfg.update('env', undefined, vscode.ConfigurationTarget.Workspace);
        }
    });

    it('whamm.instrumentAndRun can be cancelled while the app runs', async function () {
        this.timeout(60000);
        const source = new vscode.CancellationTokenSource();
        const started = Date.now();
        const pending = vscode.commands.executeCommand<RunOutcome>('whamm.instrumentAndRun',
            fixtureUri('noop.mm'), { app: path.join(workspaceDir(), 'spin.wasm'), quiet: true, token: source.token });
        // spin.wasm never ends; cancel once it had time to get past instrumentation.
        setTimeout(() => source.cancel(), 4000);
        const outcome = await pending;
        assert.ok(outcome);
        assert.equal(outcome.cancelled, true);
        assert.notEqual(outcome.exitCode, 0);
        assert.ok(Date.now() - started < 30000, 'the cancelled run ends promptly');
        source.dispose();
    });

    it('whamm.newScript opens a whamm document the server accepts', async () => {
        await vscode.commands.executeCommand('whamm.newScript');
        const doc = vscode.window.activeTextEditor?.document;
        assert.ok(doc);
        assert.equal(doc.languageId, 'whamm');
        await new Promise(r => setTimeout(r, 3000));
        assert.equal(vscode.languages.getDiagnostics(doc.uri).length, 0, describeDiagnostics(doc, vscode.languages.getDiagnostics(doc.uri)));
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
});
