// Entry point of the Whamm extension. The client is UI only: language features come from the language
// server (out/server.cjs), instrumentation and runs from the CLI (out/cli.cjs); this file wires them to
// VS Code's commands, output and notifications.
import * as vscode from 'vscode';
import { Commands } from './commands/ids.js';
import { instrumentAndRun, type RunContext, type RunOutcome, type RunOverrides } from './commands/instrumentAndRun.js';
import { newScript } from './commands/newScript.js';
import { newScriptFromTemplate } from './commands/newFromTemplate.js';
import { pickApp } from './commands/selectApp.js';
import { WhammLanguageClient, errorText } from './languageClient.js';
import { WhammOutput } from './output.js';
import { registerRunFeatures, type RunFeaturesApi } from './run/register.js';
import { registerWalkthrough } from './walkthrough.js';

/** What `activate` returns: used by other extensions and by the integration tests. */
export interface WhammApi extends RunFeaturesApi {
    serverState(): 'stopped' | 'starting' | 'running';
    /** Settles when the first server start finished (rejects if it failed). */
    serverReady: Promise<void>;
    outputText(): string;
    onDidFinishRun: vscode.Event<RunOutcome>;
    /** The walkthrough steps detected as done (context keys set). */
    walkthroughDone(): string[];
}

let languageClient: WhammLanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): WhammApi {
    const output = new WhammOutput('Whamm');
    const runs = new vscode.EventEmitter<RunOutcome>();
    const client = new WhammLanguageClient(context, output);
    languageClient = client;
    context.subscriptions.push(output, runs, client);

    const serverReady = client.start();
    serverReady.catch(err => {
        const show = 'Show Output';
        void vscode.window.showErrorMessage(`Whamm: the language server could not start: ${errorText(err)}`, show)
            .then(c => { if (c === show) output.show(false); });
    });

    // The run features tell the user how a run ended; the run command calls them through `present`.
    let present: RunContext['present'] = async () => undefined;
    const rc: RunContext = { extension: context, output, runs, present: (o, quiet) => present(o, quiet) };
    context.subscriptions.push(
        vscode.commands.registerCommand(Commands.restartServer, async () => {
            output.appendLine('[client] restarting the language server');
            try {
                await client.restart();
            } catch (err) {
                void vscode.window.showErrorMessage(`Whamm: the language server could not restart: ${errorText(err)}`);
                throw err;
            }
        }),
        vscode.commands.registerCommand(Commands.showOutput, () => output.show(false)),
        vscode.commands.registerCommand(Commands.instrumentAndRun,
            (target?: vscode.Uri, overrides?: RunOverrides) => instrumentAndRun(rc, target, overrides)),
        vscode.commands.registerCommand(Commands.selectApp, () => pickApp(context.workspaceState)),
        vscode.commands.registerCommand(Commands.newScript, () => newScript()),
        vscode.commands.registerCommand('whamm.newScriptFromTemplate', (name?: string) => newScriptFromTemplate(context, name)),
    );

    const { present: presentRun, ...features } = registerRunFeatures(rc, (method, params, token) => client.sendRequest(method, params, token));
    present = presentRun;
    const walkthrough = registerWalkthrough(context, { ...features, onDidFinishRun: runs.event });

    return {
        ...features,
        serverState: () => client.state,
        serverReady,
        outputText: () => output.recentText(),
        onDidFinishRun: runs.event,
        walkthroughDone: () => walkthrough.done(),
    };
}

export async function deactivate(): Promise<void> {
    await languageClient?.stop();
    languageClient = undefined;
}
