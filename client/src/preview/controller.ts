// "Whamm: Show Injections": a read-only editor beside a .mm script with the app's WAT around the code the
// script injects (computed by the language server, `whamm/preview`, as a dry run: nothing is written or
// run). Injected lines are highlighted in their probe's colour with a gutter glyph and a hover; the cursor
// in a probe highlights its injections (and lists them per function after the rule); the cursor on
// injected code highlights the probe and its predicate in the script. Next/previous injection commands
// step through them. The preview follows the script as it is typed (debounced, unsaved text).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickApp, rememberedApp } from '../commands/selectApp.js';
import { readSettings } from '../settings.js';
import { PREVIEW_REQUEST, type PlanProbe, type PreviewMark, type PreviewParams, type PreviewResult, type ScriptRange } from '../../../server/src/protocol.js';
import { PROBE_COLOURS, applyLineEdits, markAtLine, probeAt, probeSummary, siteSourceProblem, stepMark } from './model.js';

export const PREVIEW_SCHEME = 'whamm-preview';
export const PreviewCommands = {
    show: 'whamm.showInjections',
    next: 'whamm.nextInjection',
    previous: 'whamm.previousInjection',
    showInSource: 'whamm.showInjectionSource',
    toggleFunction: 'whamm.toggleFunctionCode',
} as const;

/** Delay between the last keystroke and the preview request. */
export const PREVIEW_DEBOUNCE_MS = 250;

export type SendRequest = <R>(method: string, params: unknown, token?: vscode.CancellationToken) => Promise<R>;

interface Preview {
    script: vscode.Uri;
    uri: vscode.Uri;
    result?: PreviewResult;
    /** Script version the result is for. */
    version: number;
    pending?: vscode.CancellationTokenSource;
    timer?: ReturnType<typeof setTimeout>;
    /** The probe under the script cursor (its injections are focused), or undefined. */
    focusProbe?: number;
    /** Resolves when the current refresh settles. */
    refreshing?: Promise<void>;
    updates: number;
    /** Functions the user unfolded (printed in full although the script does not touch them). */
    expanded: Set<number>;
    /** The shown text's lines and its revision: the server answers later edits as line edits of it. */
    lines?: string[];
    revision?: number;
}

/** What the e2e suite reads back (see WhammPreviewApi). */
export interface PreviewState {
    uri: string;
    updates: number;
    text: string;
    marks: PreviewMark[];
    probes: PlanProbe[];
    /** Lines (0-based) currently drawn as focused injections in the preview. */
    focusedLines: number[];
    /** Script ranges currently highlighted as the probe of the injection under the preview cursor. */
    scriptHighlights: ScriptRange[];
    /** The summary drawn after the focused probe's rule. */
    summary?: string;
    /** Functions shown in full (line ranges) and folded to their first line. */
    functions: { fid: number; name: string; startLine: number; endLine: number; expanded?: boolean }[];
    folded: { fid: number; name: string; line: number }[];
}

function gutterIcon(colour: string): vscode.Uri {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect x="5" y="1" width="6" height="14" rx="2" fill="${colour}"/></svg>`;
    return vscode.Uri.parse(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`);
}

function toRange(r: ScriptRange): vscode.Range {
    return new vscode.Range(r.line, r.character, r.endLine, r.endCharacter);
}

export class InjectionPreview implements vscode.TextDocumentContentProvider, vscode.HoverProvider, vscode.FoldingRangeProvider, vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private readonly updated = new vscode.EventEmitter<Preview>();
    private readonly previews = new Map<string, Preview>();
    private readonly disposables: vscode.Disposable[] = [];
    private readonly probeTypes = PROBE_COLOURS.map(c => vscode.window.createTextEditorDecorationType({
        isWholeLine: true, backgroundColor: `${c}26`, gutterIconPath: gutterIcon(c), gutterIconSize: 'contain',
        overviewRulerColor: c, overviewRulerLane: vscode.OverviewRulerLane.Left,
    }));
    private readonly sharedType = vscode.window.createTextEditorDecorationType({ isWholeLine: true, backgroundColor: '#88888826', gutterIconPath: gutterIcon('#888888'), gutterIconSize: 'contain' });
    private readonly focusType = vscode.window.createTextEditorDecorationType({
        isWholeLine: true, backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
        border: '1px solid', borderColor: new vscode.ThemeColor('focusBorder'),
    });
    private readonly scriptType = vscode.window.createTextEditorDecorationType({
        backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'), border: '1px solid', borderColor: new vscode.ThemeColor('focusBorder'),
    });
    private readonly summaryType = vscode.window.createTextEditorDecorationType({
        after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    });
    private scriptHighlights: ScriptRange[] = [];
    /** Function entries of the last coverage run, by app path and function name. */
    private executions: { app: string; byName: Record<string, number> } | undefined;
    private summary: string | undefined;
    private focusedLines: number[] = [];

    constructor(private readonly state: vscode.Memento, private readonly send: SendRequest) {
        this.disposables.push(this.changed, this.updated, this.focusType, this.scriptType, this.summaryType, this.sharedType, ...this.probeTypes,
            vscode.workspace.onDidChangeTextDocument(e => this.onEdit(e.document)),
            vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('whamm')) for (const p of this.previews.values()) this.schedule(p, 0); }),
            vscode.window.onDidChangeTextEditorSelection(e => this.onSelection(e.textEditor)),
            vscode.window.onDidChangeVisibleTextEditors(() => { for (const p of this.previews.values()) this.decorate(p); }),
            vscode.workspace.onDidCloseTextDocument(d => { if (d.uri.scheme === PREVIEW_SCHEME) this.drop(d.uri); }),
        );
    }

    // ---- the preview document ----

    private previewUriOf(script: vscode.Uri): vscode.Uri {
        const base = path.basename(script.path) || 'script.mm';
        return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${base}.injections.wat`, query: script.toString() });
    }

    private byPreviewUri(uri: vscode.Uri): Preview | undefined {
        return this.previews.get(uri.query);
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        const p = this.byPreviewUri(uri);
        return p?.result?.text ?? ';; computing the injections…\n';
    }

    private drop(uri: vscode.Uri): void {
        const p = this.byPreviewUri(uri);
        if (!p) return;
        p.pending?.cancel();
        if (p.timer) clearTimeout(p.timer);
        this.previews.delete(uri.query);
    }

    private app(): string | undefined {
        return readSettings().app ?? rememberedApp(this.state);
    }

    /** Opens (or focuses) the preview of `target` (default: the active .mm editor) beside it. */
    async show(target?: vscode.Uri): Promise<PreviewState | undefined> {
        const doc = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
        if (!doc || doc.languageId !== 'whamm') {
            void vscode.window.showInformationMessage('Whamm: open a .mm script to show its injections.');
            return undefined;
        }
        if (!vscode.workspace.isTrusted) {
            // The dry run loads user libraries (and runs @static calls): not in Restricted Mode.
            void vscode.window.showInformationMessage('Whamm: trust the workspace to preview injections (the dry run loads the app and its libraries).');
            return undefined;
        }
        if (!this.app() && !(await pickApp(this.state))) return undefined;
        const key = doc.uri.toString();
        let p = this.previews.get(key);
        if (!p) {
            p = { script: doc.uri, uri: this.previewUriOf(doc.uri), version: -1, updates: 0, expanded: new Set() };
            this.previews.set(key, p);
        }
        await this.refresh(p);
        const shown = await vscode.window.showTextDocument(p.uri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
        this.decorate(p, shown);
        return this.stateOf(p);
    }

    private onEdit(doc: vscode.TextDocument): void {
        if (doc.uri.scheme === PREVIEW_SCHEME) {
            const p = this.byPreviewUri(doc.uri);
            if (p) this.decorate(p);
            return;
        }
        if (doc.languageId !== 'whamm') return;
        const p = this.previews.get(doc.uri.toString());
        if (p) this.schedule(p, PREVIEW_DEBOUNCE_MS);
    }

    private schedule(p: Preview, delay: number): void {
        if (p.timer) clearTimeout(p.timer);
        p.timer = setTimeout(() => { p.timer = undefined; void this.refresh(p); }, delay);
    }

    /** Asks the server for the preview of the script's current (unsaved) text; a newer request cancels this one. */
    private refresh(p: Preview): Promise<void> {
        const run = async () => {
            const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === p.script.toString()) ?? await vscode.workspace.openTextDocument(p.script);
            const app = this.app();
            if (!app) return;
            p.pending?.cancel();
            const cts = new vscode.CancellationTokenSource();
            p.pending = cts;
            const settings = readSettings(doc.uri);
            const version = doc.version;
            const params: PreviewParams = {
                app, script: doc.getText(), scriptPath: doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
                userLibs: settings.userLibs, searchRoots: (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath),
                executions: this.executions?.app === app ? this.executions.byName : undefined,
                expand: [...p.expanded],
                session: p.uri.toString(), have: p.lines ? p.revision : undefined,
            };
            let result: PreviewResult;
            try {
                result = await this.send<PreviewResult>(PREVIEW_REQUEST, params, cts.token);
            } catch (e) {
                if (cts.token.isCancellationRequested) return;
                const msg = (e as Error).message ?? String(e);
                result = { text: `;; the preview failed: ${msg}\n`, functions: [], folded: [], marks: [], siteLines: [], omittedFunctions: 0, error: msg,
                    plan: { app, probes: [], sites: [], sitesTruncated: false, injections: [], added: { imports: [], functions: [], globals: [], exports: [] }, warnings: [], mapping: 'none', error: msg } };
            }
            if (cts.token.isCancellationRequested) return;
            // A script whose text has errors keeps the last good preview (typing passes through broken states).
            if (result.plan.scriptErrors && p.result && !p.result.error) { p.version = version; return; }
            if (result.textEdits) {
                // Edits of a text this preview no longer holds: ask again for the whole text.
                if (!p.lines || result.textEdits.base !== p.revision) { p.lines = undefined; p.revision = undefined; this.schedule(p, 0); return; }
                p.lines = applyLineEdits(p.lines, result.textEdits.edits);
                result = { ...result, text: p.lines.join('\n'), textEdits: undefined };
            } else p.lines = result.revision === undefined ? undefined : result.text.split('\n');
            p.revision = result.revision;
            p.result = result;
            p.version = version;
            p.updates++;
            this.changed.fire(p.uri);
            this.updated.fire(p);
        };
        const r = run();
        p.refreshing = r.finally(() => { if (p.refreshing === r) p.refreshing = undefined; });
        return r;
    }

    // ---- decorations ----

    private editorsOf(uri: vscode.Uri): vscode.TextEditor[] {
        return vscode.window.visibleTextEditors.filter(e => e.document.uri.toString() === uri.toString());
    }

    private decorate(p: Preview, only?: vscode.TextEditor): void {
        const r = p.result;
        const editors = only ? [only] : this.editorsOf(p.uri);
        for (const ed of editors) {
            const byType = this.probeTypes.map(() => [] as vscode.DecorationOptions[]);
            const shared: vscode.DecorationOptions[] = [];
            const focus: vscode.Range[] = [];
            const lineCount = ed.document.lineCount;
            for (const m of r?.marks ?? []) {
                if (m.endLine >= lineCount) continue;
                const range = new vscode.Range(m.startLine, 0, m.endLine, 0);
                (m.probe < 0 ? shared : byType[m.probe % byType.length]).push({ range });
                if (p.focusProbe !== undefined && m.probe === p.focusProbe) focus.push(range);
            }
            this.probeTypes.forEach((t, i) => ed.setDecorations(t, byType[i]));
            ed.setDecorations(this.sharedType, shared);
            ed.setDecorations(this.focusType, focus);
            this.focusedLines = focus.flatMap(f => Array.from({ length: f.end.line - f.start.line + 1 }, (_, k) => f.start.line + k));
        }
    }

    private onSelection(ed: vscode.TextEditor): void {
        const doc = ed.document;
        if (doc.uri.scheme === PREVIEW_SCHEME) {
            const p = this.byPreviewUri(doc.uri);
            if (!p?.result) return;
            const mark = markAtLine(p.result, ed.selection.active.line);
            const probe = mark ? p.result.plan.probes.find(x => x.index === mark.probe) : undefined;
            this.highlightScript(p, probe);
            return;
        }
        if (doc.languageId !== 'whamm') return;
        const p = this.previews.get(doc.uri.toString());
        if (!p?.result) return;
        const pos = ed.selection.active;
        const probe = probeAt(p.result.plan.probes, pos.line, pos.character);
        this.focusProbe(p, probe, ed);
    }

    /** The cursor entered (or left) a probe in the script: focus its injections and summarise them. */
    private focusProbe(p: Preview, probe: PlanProbe | undefined, scriptEditor: vscode.TextEditor): void {
        const before = p.focusProbe;
        p.focusProbe = probe?.index;
        this.summary = probe && p.result ? probeSummary(p.result, probe.index) : undefined;
        scriptEditor.setDecorations(this.summaryType, probe && this.summary ? [{
            range: new vscode.Range(probe.ruleRange.endLine, probe.ruleRange.endCharacter, probe.ruleRange.endLine, probe.ruleRange.endCharacter),
            renderOptions: { after: { contentText: `  ${this.summary}` } },
        }] : []);
        this.decorate(p);
        if (probe && before !== probe.index && p.result) {
            const first = p.result.marks.find(m => m.probe === probe.index);
            if (first) for (const ed of this.editorsOf(p.uri)) ed.revealRange(new vscode.Range(first.startLine, 0, first.endLine, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
    }

    /** The cursor is on injected code: highlight the probe (rule and predicate) it comes from. */
    private highlightScript(p: Preview, probe: PlanProbe | undefined): void {
        this.scriptHighlights = probe ? [probe.ruleRange, ...(probe.predicate ? [probe.predicate] : [])] : [];
        for (const ed of this.editorsOf(p.script)) {
            ed.setDecorations(this.scriptType, this.scriptHighlights.map(toRange));
            if (probe) ed.revealRange(toRange(probe.range), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
    }

    /** After a coverage run of `app`: the header bars show how often each function ran. */
    setExecutions(app: string, byName: Record<string, number>): void {
        this.executions = { app, byName };
        for (const p of this.previews.values()) this.schedule(p, 0);
    }

    // ---- navigation ----

    /** Moves the preview cursor to the next/previous injection (of the probe under the script cursor, from a script). */
    async step(dir: 1 | -1): Promise<number | undefined> {
        const active = vscode.window.activeTextEditor;
        if (!active) return undefined;
        let p: Preview | undefined, probe: number | undefined, previewEditor: vscode.TextEditor | undefined;
        if (active.document.uri.scheme === PREVIEW_SCHEME) {
            p = this.byPreviewUri(active.document.uri);
            previewEditor = active;
        } else if (active.document.languageId === 'whamm') {
            p = this.previews.get(active.document.uri.toString());
            if (!p) { await this.show(active.document.uri); p = this.previews.get(active.document.uri.toString()); }
            if (p?.result) probe = probeAt(p.result.plan.probes, active.selection.active.line, active.selection.active.character)?.index;
            previewEditor = p && this.editorsOf(p.uri)[0];
        }
        if (!p?.result || !previewEditor) return undefined;
        const mark = stepMark(p.result, previewEditor.selection.active.line, dir, probe);
        if (!mark) { void vscode.window.setStatusBarMessage('Whamm: no injections', 3000); return undefined; }
        const pos = new vscode.Position(mark.startLine, previewEditor.document.lineAt(mark.startLine).firstNonWhitespaceCharacterIndex);
        previewEditor.selection = new vscode.Selection(pos, pos);
        previewEditor.revealRange(new vscode.Range(mark.startLine, 0, mark.endLine, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        // From the script the selection event of the (unfocused) preview does not run the link: do it here.
        const pr = p.result.plan.probes.find(x => x.index === mark.probe);
        this.highlightScript(p, pr);
        return mark.startLine;
    }

    /** Moves the open preview of `script` to a site (from the sites picker); false when no preview shows it. */
    revealSite(script: string, fid: number, pc: number): boolean {
        const p = this.previews.get(script);
        const r = p?.result;
        if (!p || !r) return false;
        const i = r.plan.sites.findIndex(s => s.fid === fid && s.pc === pc);
        const line = i >= 0 ? r.siteLines[i] : -1;
        if (line < 0) return false;
        for (const ed of this.editorsOf(p.uri)) {
            ed.selection = new vscode.Selection(line, 0, line, 0);
            ed.revealRange(new vscode.Range(Math.max(0, line - 3), 0, line + 3, 0), vscode.TextEditorRevealType.InCenter);
        }
        return true;
    }

    // ---- hover, folding, source ----

    provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
        const p = this.byPreviewUri(doc.uri);
        const r = p?.result;
        if (!p || !r) return undefined;
        const mark = markAtLine(r, pos.line);
        if (!mark) return undefined;
        const x = r.plan.injections[mark.injection];
        const probe = r.plan.probes.find(q => q.index === mark.probe);
        const md = new vscode.MarkdownString(undefined, true);
        md.isTrusted = { enabledCommands: [PreviewCommands.showInSource] };
        md.appendMarkdown(probe ? `**probe ${probe.index}** \`${probe.rule}\` — ${x.where} ` : `**shared code** (${x.where}) `);
        const site = mark.sites.length ? r.plan.sites[mark.sites[0]] : undefined;
        md.appendMarkdown(`at \`${site?.instr ?? `opidx ${x.opidx}`}\` in \`${r.functions.find(f => f.fid === x.fid)?.name ?? `func ${x.fid}`}\` (pc ${x.pc}, opidx ${x.opidx})`);
        if (mark.sites.length > 1) md.appendMarkdown(` — ${mark.sites.length} sites here`);
        md.appendMarkdown('\n\n');
        if (site?.file) {
            const args = encodeURIComponent(JSON.stringify([p.script.toString(), mark.sites[0]]));
            md.appendMarkdown(`source: \`${path.basename(site.file)}:${site.line}\` — [Show in source](command:${PreviewCommands.showInSource}?${args})\n\n`);
        }
        md.appendCodeblock(x.code.join('\n'), 'wat');
        return new vscode.Hover(md, new vscode.Range(mark.startLine, 0, mark.endLine, doc.lineAt(mark.endLine).text.length));
    }

    /** On a folded function: show its code; on one the user unfolded: fold it again. */
    provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
        const p = this.byPreviewUri(doc.uri);
        const r = p?.result;
        if (!p || !r) return [];
        const script = p.script.toString();
        const lenses = r.folded.filter(f => f.line < doc.lineCount).map(f => new vscode.CodeLens(new vscode.Range(f.line, 0, f.line, 0), {
            title: `▸ show the code (${f.instrs} instruction${f.instrs === 1 ? '' : 's'})`, command: PreviewCommands.toggleFunction, arguments: [script, f.fid],
        }));
        for (const f of r.functions) {
            if (f.expanded && f.startLine < doc.lineCount) lenses.push(new vscode.CodeLens(new vscode.Range(f.startLine, 0, f.startLine, 0), { title: '▾ fold to the first line', command: PreviewCommands.toggleFunction, arguments: [script, f.fid] }));
        }
        return lenses;
    }

    /**
     * Shows the code of a folded function, or folds one the user unfolded (by script and function index,
     * or the function under the preview cursor); resolves to the function's first line afterwards.
     */
    async toggleFunction(script?: string, fid?: number): Promise<number | undefined> {
        let p = script !== undefined ? this.previews.get(script) : undefined;
        if (fid === undefined) {
            const ed = vscode.window.activeTextEditor;
            if (ed?.document.uri.scheme !== PREVIEW_SCHEME) return undefined;
            p = this.byPreviewUri(ed.document.uri);
            const line = ed.selection.active.line;
            fid = p?.result?.folded.find(f => f.line === line)?.fid ?? p?.result?.functions.find(f => f.startLine <= line && line <= f.endLine && f.expanded)?.fid;
        }
        if (!p || fid === undefined) return undefined;
        if (p.expanded.has(fid)) p.expanded.delete(fid); else p.expanded.add(fid);
        await this.refresh(p);
        const r = p.result;
        const line = r?.functions.find(f => f.fid === fid)?.startLine ?? r?.folded.find(f => f.fid === fid)?.line;
        if (line !== undefined) {
            for (const ed of this.editorsOf(p.uri)) {
                ed.selection = new vscode.Selection(line, 0, line, 0);
                ed.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
            }
        }
        return line;
    }

    provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
        const r = this.byPreviewUri(doc.uri)?.result;
        return (r?.functions ?? []).map(f => new vscode.FoldingRange(f.startLine, f.endLine, vscode.FoldingRangeKind.Region));
    }

    /** Opens the source line of a site (by script and site index, or the site under the preview cursor). */
    async showInSource(script?: string, site?: number): Promise<string> {
        let p: Preview | undefined;
        if (script !== undefined) p = this.previews.get(script);
        else {
            const ed = vscode.window.activeTextEditor;
            if (ed?.document.uri.scheme === PREVIEW_SCHEME) {
                p = this.byPreviewUri(ed.document.uri);
                const line = ed.selection.active.line;
                const r = p?.result;
                if (r) site = markAtLine(r, line)?.sites[0] ?? r.siteLines.findIndex(l => l === line);
            }
        }
        const s = p?.result && site !== undefined && site >= 0 ? p.result.plan.sites[site] : undefined;
        const msg = s ? siteSourceProblem(s, f => fs.existsSync(f)) : 'Whamm: put the cursor on a match site or on injected code first.';
        if (!msg && s) {
            const at = new vscode.Position(Math.max(0, (s.line ?? 1) - 1), Math.max(0, (s.column ?? 1) - 1));
            await vscode.window.showTextDocument(vscode.Uri.file(s.file!), { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One });
            return `opened ${s.file}:${s.line}`;
        }
        void vscode.window.showWarningMessage(msg!);
        return msg!;
    }

    // ---- for tests ----

    stateOf(p: Preview): PreviewState {
        return {
            uri: p.uri.toString(), updates: p.updates, text: p.result?.text ?? '', marks: p.result?.marks ?? [], probes: p.result?.plan.probes ?? [],
            focusedLines: this.focusedLines, scriptHighlights: this.scriptHighlights, summary: this.summary,
            functions: (p.result?.functions ?? []).map(f => ({ fid: f.fid, name: f.name, startLine: f.startLine, endLine: f.endLine, expanded: f.expanded })),
            folded: (p.result?.folded ?? []).map(f => ({ fid: f.fid, name: f.name, line: f.line })),
        };
    }

    /** The preview of a script as shown now (after a refresh in flight settles). */
    async current(script: vscode.Uri): Promise<PreviewState | undefined> {
        const p = this.previews.get(script.toString());
        if (!p) return undefined;
        await p.refreshing;
        return this.stateOf(p);
    }

    dispose(): void {
        for (const p of this.previews.values()) { p.pending?.cancel(); if (p.timer) clearTimeout(p.timer); }
        this.disposables.forEach(d => d.dispose());
    }
}
