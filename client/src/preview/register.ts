// Registers the injection preview (controller.ts) and the "matches nothing" warnings (noMatch.ts).
// extension.ts calls registerPreview once; what it returns joins the extension API (used by the e2e suite).
import * as vscode from 'vscode';
import { InjectionPreview, PREVIEW_SCHEME, PreviewCommands, type PreviewState, type SendRequest } from './controller.js';
import { NoMatchWarnings } from './noMatch.js';
import { REVEAL_SITE } from './sitesPicker.js';

export interface PreviewApi {
    /** After a coverage run: function entries by name, for the preview's header bars. */
    setExecutions(app: string, byName: Record<string, number>): void;
    /** The injection preview of a script as shown now, or undefined when none is open. */
    previewState(script: vscode.Uri): Promise<PreviewState | undefined>;
}

export function registerPreview(ctx: vscode.ExtensionContext, send: SendRequest): PreviewApi {
    const preview = new InjectionPreview(ctx.workspaceState, send);
    const warnings = new NoMatchWarnings(ctx.workspaceState, send);
    const selector = { scheme: PREVIEW_SCHEME };
    ctx.subscriptions.push(preview, warnings,
        vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview),
        vscode.languages.registerHoverProvider(selector, preview),
        vscode.languages.registerFoldingRangeProvider(selector, preview),
        vscode.languages.registerCodeLensProvider(selector, preview),
        vscode.commands.registerCommand(PreviewCommands.show, (uri?: vscode.Uri) => preview.show(uri)),
        vscode.commands.registerCommand(PreviewCommands.next, () => preview.step(1)),
        vscode.commands.registerCommand(PreviewCommands.previous, () => preview.step(-1)),
        vscode.commands.registerCommand(PreviewCommands.showInSource, (script?: string, site?: number) => preview.showInSource(script, site)),
        vscode.commands.registerCommand(PreviewCommands.toggleFunction, (script?: string, fid?: number) => preview.toggleFunction(script, fid)),
        vscode.commands.registerCommand(REVEAL_SITE, (script: string, fid: number, pc: number) => preview.revealSite(script, fid, pc)),
    );
    return { previewState: uri => preview.current(uri), setExecutions: (app, byName) => preview.setExecutions(app, byName) };
}

/** Function entries of a coverage report, by function name (mapped and unmapped functions). */
export function callsByFunction(report: { files: Map<string, { functions: { name: string; calls: number }[] }>; unmappedFunctions: { name: string; calls: number }[] }): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of report.files.values()) for (const fn of f.functions) out[fn.name] = (out[fn.name] ?? 0) + fn.calls;
    for (const fn of report.unmappedFunctions) out[fn.name] = (out[fn.name] ?? 0) + fn.calls;
    return out;
}
