// Results at a glance, in the real VS Code: a trapping C app (notification with the trap's source line,
// the red line, a coverage test failing with a located message), an app without debug info (warning,
// Hot spots in function mode, function coverage), the Report view's charts as drawn in its webview
// (read from the page's DOM), two runs compared, a stale report, and screenshots in light, dark and
// high-contrast themes for people to look at.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, sleep, waitFor } from './helpers.js';

interface Shown { level: string; text: string }
interface Variable { name: string; value?: string; entries?: { key: string; value: string }[] }
interface RunResult { exitCode: number; trap?: { message: string; funcName?: string; location?: { file: string; line: number } }; report?: Variable[]; functions?: Record<string, string> }
interface Outcome { phase: string; exitCode: number | null; stderr: string; result?: RunResult }
interface CoverageOutcome { exitCode: number | null; stderr: string; result?: RunResult; failure?: { text: string; file?: string; line?: number }; files: string[] }
interface Chart { id: string; kind: string; svg: boolean; shapes: number; texts: string[] }
interface Api {
    notifications(): Shown[];
    trapMarks(): { file: string; line: number; message: string }[];
    hotSpotRows(): string[];
    reportState(): { title: string; stale?: string; runId?: string; open: boolean };
    reportCharts(): Chart[];
    runs(): { id: string; title: string }[];
    heatDecorations(): { file: string }[];
    heatLegend(): { text: string; accessibleLabel: string; visible: boolean };
}

const PROJECT = path.resolve(__dirname, '..', '..', '..', '..');
const SAMPLES = path.join(PROJECT, '.cache', 'samples');
const APP = path.join(SAMPLES, 'c-dwarf4', 'app.wasm');
const TRAP_APP = path.join(SAMPLES, 'c-trap', 'app.wasm');
const NODEBUG_APP = path.join(SAMPLES, 'c-nodebug', 'app.wasm');
const TRAP_C = path.join(PROJECT, 'test', 'fixtures', 'samples', 'c-trap', 'trap.c');
const MAIN_C = path.join(PROJECT, 'test', 'fixtures', 'samples', 'c', 'main.c');
const UI_DIR = process.env.WHAMM_E2E_UI_DIR;

function trapLine(): number {
    return fs.readFileSync(TRAP_C, 'utf8').split('\n').findIndex(l => /\/\/.*\bTRAP\b/.test(l)) + 1;
}

function ensureSamples(): string | undefined {
    if ([APP, TRAP_APP, NODEBUG_APP].every(p => fs.existsSync(p))) return undefined;
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'e2e', 'build-samples.ts')], { cwd: PROJECT, env, encoding: 'utf8', timeout: 180000 });
    return [APP, TRAP_APP, NODEBUG_APP].every(p => fs.existsSync(p)) ? undefined : `C samples not built (${r.status}): ${(r.stderr ?? '').trim().split('\n')[0]}`;
}

async function screenshot(id: string, keepNotifications = false): Promise<void> {
    if (!UI_DIR) return;
    if (!keepNotifications) await vscode.commands.executeCommand('notifications.clearAll');
    await sleep(1500);
    fs.writeFileSync(path.join(UI_DIR, `request-${id}.json`), JSON.stringify({ id, kind: 'screenshot' }));
    await waitFor(`the runner to take ${id}`, () => fs.existsSync(path.join(UI_DIR!, `response-${id}.json`)) ? true : undefined, 60000);
}

async function theme(name: string): Promise<void> {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', name, vscode.ConfigurationTarget.Global);
    await sleep(800);
}

const entries = (r: RunResult | undefined, name: string) => r?.report?.find(v => v.name === name)?.entries ?? [];

describe('results at a glance', function () {
    this.timeout(240000);
    let api: Api;

    before(async function () {
        const reason = ensureSamples();
        if (reason) { console.log(`[e2e] skipping results tests: ${reason}`); this.skip(); }
        const a = await activateExtension();
        await a.api.serverReady;
        api = a.api as unknown as Api;
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    after(async () => {
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    });

    it('a trap is an error notification with the trap message and its source line, and a red line there', async () => {
        await vscode.window.showTextDocument(vscode.Uri.file(TRAP_C), { preview: false });
        const o = await vscode.commands.executeCommand<Outcome>('whamm.instrumentAndRun', fixtureUri('charts.mm'), { app: TRAP_APP });
        assert.equal(o?.phase, 'run', o?.stderr);
        assert.equal(o?.exitCode, 1);
        const line = trapLine();
        assert.equal(o?.result?.trap?.location?.line, line);
        const shown = await waitFor('the trap notification', () => api.notifications().find(n => n.text.includes('trap')));
        assert.equal(shown.level, 'error');
        assert.equal(shown.text, `Whamm: trap: memory access out of bounds at trap.c:${line} (in read_at)`);
        await vscode.window.showTextDocument(vscode.Uri.file(TRAP_C), { preview: false });
        const marks = await waitFor('the trap line decoration', () => api.trapMarks().length ? api.trapMarks() : undefined);
        assert.deepEqual(marks, [{ file: TRAP_C, line, message: 'memory access out of bounds' }]);
        await vscode.commands.executeCommand('workbench.action.closePanel');
        await theme('Default Light Modern');
        await screenshot('trap-light', true);
        await theme('Default Dark Modern');
        await screenshot('trap-dark', true);
    });

    it('a script that does not instrument: its first error in the notification, nothing runs', async () => {
        const doc = await vscode.workspace.openTextDocument(fixtureUri('errors.mm'));
        await waitFor('the editor diagnostics of errors.mm', () => vscode.languages.getDiagnostics(doc.uri).length ? true : undefined);
        const first = vscode.languages.getDiagnostics(doc.uri).find(d => d.severity === vscode.DiagnosticSeverity.Error)!;
        const o = await vscode.commands.executeCommand<Outcome & { instrumented: string }>('whamm.instrumentAndRun', fixtureUri('errors.mm'), { app: TRAP_APP });
        assert.equal(o?.phase, 'instr');
        assert.equal(fs.existsSync(o!.instrumented), false, 'no module is left to run');
        const shown = await waitFor('the instrumentation notification', () => api.notifications().find(n => n.text.includes('did not instrument')));
        assert.equal(shown.level, 'error');
        assert.equal(shown.text, `Whamm: the script did not instrument, nothing ran: errors.mm:${first.range.start.line + 1}: ${first.message}`);
    });

    it('a coverage run of the trapping app fails its test with a message located at the trap line', async () => {
        const r = await vscode.commands.executeCommand<CoverageOutcome>('whamm.runWithCoverage', { app: TRAP_APP, quiet: true });
        assert.equal(r?.exitCode, 1);
        assert.deepEqual(r?.failure, { text: `trap: memory access out of bounds at trap.c:${trapLine()} (in read_at)`, file: TRAP_C, line: trapLine() });
        // The partial coverage still arrives: the lines before the trap ran.
        assert.ok(r?.files.includes(TRAP_C), r?.files.join(', '));
    });

    it('an app without debug info: a warning that says what to do, Hot spots by function with names, function coverage', async () => {
        const r = await vscode.commands.executeCommand<CoverageOutcome>('whamm.runWithCoverage', { app: NODEBUG_APP, quiet: true });
        assert.equal(r?.exitCode, 0, r?.stderr);
        const warning = await waitFor('the no-debug-info warning', () => api.notifications().find(n => n.text.includes('no debug info')));
        assert.equal(warning.level, 'warning');
        assert.match(warning.text, /app\.wasm has no debug info .*clang -g.*--sourceMap/);
        const rows = api.hotSpotRows();
        assert.ok(rows.length > 0 && rows.every(x => x.startsWith('Hottest functions: ')), rows.join('\n'));
        assert.ok(rows.some(x => /^Hottest functions: classify — .*, 10 calls$/.test(x)), rows.join('\n'));
        // main's body runs once: counted in the singular.
        assert.ok(rows.some(x => /^Hottest functions: (__original_)?main — .*, 1 call$/.test(x)), rows.join('\n'));
        // The Test Coverage view gets a function listing (a document) with one declaration per function.
        const listing = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'whamm-functions', path: '/app.wasm (functions)' }));
        assert.match(listing.getText(), /^classify\s+10\s+\d+$/m);
        await vscode.commands.executeCommand('workbench.view.extension.test').then(undefined, () => undefined);
        await vscode.commands.executeCommand('whamm.hotSpots.focus');
        await screenshot('no-debug-hot-spots');
    });

    it('the Report view draws charts: top rows, per function with names, the call graph, the address heatmaps', async () => {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        const o = await vscode.commands.executeCommand<Outcome>('whamm.instrumentAndRun', fixtureUri('charts.mm'), { app: APP, quiet: true });
        assert.equal(o?.exitCode, 0, o?.stderr);
        const names = o!.result!.functions!;
        const want = ['calls:top', 'calls:functions', 'calls:graph', 'loads_at:top', 'loads_at:pages', 'loads_at:lines', 'per_fn:top'];
        const charts = await waitFor('the charts drawn in the webview', () => {
            const c = api.reportCharts();
            return want.every(id => c.some(x => x.id === id && x.svg && x.shapes > 0)) ? c : undefined;
        }, 60000);
        // The hottest function of per_fn, by name, is the first bar's label.
        const top = [...entries(o!.result, 'per_fn')].sort((a, b) => Number(b.value) - Number(a.value))[0];
        const perFn = charts.find(c => c.id === 'per_fn:top')!;
        assert.ok(perFn.texts.includes(names[top.key]), `per_fn labels: ${perFn.texts.join(', ')}; expected ${names[top.key]}`);
        assert.ok(perFn.texts.includes(top.value), `the bar carries its value ${top.value}: ${perFn.texts.join(', ')}`);
        // The busiest call edge's two functions are nodes of the graph.
        const edge = [...entries(o!.result, 'calls')].sort((a, b) => Number(b.value) - Number(a.value))[0];
        const [caller, callee] = edge.key.slice(1, -1).split(',').map(s => names[s.trim()]);
        const graph = charts.find(c => c.id === 'calls:graph')!;
        assert.ok(graph.texts.includes(caller) && graph.texts.includes(callee), `graph labels: ${graph.texts.join(', ')}`);
        await theme('Default Light Modern');
        await screenshot('report-charts-light');
        await theme('Default Dark Modern');
        await screenshot('report-charts-dark');
    });

    it('a chart exports as SVG as drawn and as PNG, also while the Report view is hidden', async () => {
        const drawn = await waitFor('the per_fn chart', () => api.reportCharts().find(c => c.id === 'per_fn:top' && c.texts.length > 0));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-chart-'));
        const exportAs = async (format: 'svg' | 'png', name: string) => {
            const file = await vscode.commands.executeCommand<string | undefined>('whamm.exportChart', 'per_fn:top', format, vscode.Uri.file(path.join(dir, name)));
            assert.ok(file, `the ${format} export wrote a file: ${api.notifications().map(n => n.text).join(' | ')}`);
            return fs.readFileSync(file);
        };
        const checkSvg = (svg: string) => {
            assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
            // Well-formed tags: every attribute value quoted once (a font family's own quotes broke this).
            for (const tag of svg.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.match(tag, /^<[\w:-]+(\s+[\w:-]+="[^"<]*")*\s*\/?>$/, tag);
            // Every label the view drew (function names, bar values, axis ticks) is a text of the file.
            const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
            for (const t of drawn.texts) assert.ok(texts.includes(t), `"${t}" in the SVG's texts: ${texts.join(', ')}`);
            return { width: Number(/^<svg[^>]*\bwidth="(\d+)"/.exec(svg)?.[1]), height: Number(/^<svg[^>]*\bheight="(\d+)"/.exec(svg)?.[1]) };
        };
        const checkPng = (png: Buffer, size: { width: number; height: number }) => {
            assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
            assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
            // Rasterised at twice the drawn size, with more than a blank image's bytes.
            assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * size.width, 2 * size.height]);
            assert.ok(png.length > 5000, `PNG of ${png.length} bytes`);
        };
        const size = checkSvg((await exportAs('svg', 'c.svg')).toString('utf8'));
        assert.ok(size.width > 0 && size.height > 0, JSON.stringify(size));
        checkPng(await exportAs('png', 'c.png'), size);

        // The view hidden behind another editor of its group: its page is gone until shown, export still works.
        const group = vscode.window.tabGroups.all.find(g => g.tabs.some(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('whamm.report')))!;
        await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { viewColumn: group.viewColumn, preview: false, preserveFocus: true });
        await waitFor('the Report view hidden', () => group.tabs.some(t => t.isActive && t.input instanceof vscode.TabInputWebview) ? undefined : true);
        checkPng(await exportAs('png', 'hidden.png'), size);
        // Tab objects are snapshots: the current one is looked up again.
        const mainTab = vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === MAIN_C);
        if (mainTab) await vscode.window.tabGroups.close(mainTab);
    });

    it('the Run lens above a probe runs that probe only, and a clean run raises no notification', async () => {
        // An untitled script opened and closed unsaved first (a user's "New Script" they threw away): the
        // language server must go on answering for the other scripts (it once stopped analysing any).
        const scratch = await vscode.workspace.openTextDocument({ language: 'whamm', content: 'wasm:opcode:call:before { scratch++; }\n' });
        await vscode.window.showTextDocument(scratch, { preview: false });
        await waitFor('the diagnostics of the untitled script', () => vscode.languages.getDiagnostics(scratch.uri).length ? true : undefined);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        const uri = fixtureUri('charts.mm');
        await vscode.window.showTextDocument(uri, { preview: false });
        // charts.mm: the call probe is on line 6, the i32.load probe (loads_at, per_fn) below it.
        const lens = await waitFor('the Run lens of the call probe', async () => {
            const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
            return ls?.find(l => l.range.start.line === 5 && /Run this probe/.test(l.command?.title ?? ''));
        }, 60000);
        const shownBefore = JSON.stringify(api.notifications());
        const [script, options] = lens.command!.arguments as [vscode.Uri, object];
        const o = await vscode.commands.executeCommand<Outcome>(lens.command!.command, script, { ...options, app: APP });
        assert.equal(o?.exitCode, 0, o?.stderr);
        assert.ok(entries(o!.result, 'calls').length > 0, 'the call probe ran');
        assert.deepEqual([entries(o!.result, 'loads_at'), entries(o!.result, 'per_fn')], [[], []], 'the i32.load probe did not');
        assert.equal(JSON.stringify(api.notifications()), shownBefore, 'a clean run is told in the status bar only');
    });

    it('two runs compared: per-row deltas and a chart of the biggest changes; the older report marked stale', async () => {
        const first = api.reportState().runId!;
        const before = await vscode.commands.executeCommand<Outcome>('whamm.instrumentAndRun', fixtureUri('charts.mm'), { app: APP, quiet: true });
        // The script edited (not saved): stores count too. The run uses the text as shown.
        const doc = await vscode.workspace.openTextDocument(fixtureUri('charts.mm'));
        const editor = await vscode.window.showTextDocument(doc, { preview: false });
        await editor.edit(e => e.insert(new vscode.Position(doc.lineCount, 0), '\nwasm:opcode:i32.store:before {\n    per_fn[fid]++;\n}\n'));
        try {
            const after = await vscode.commands.executeCommand<Outcome>('whamm.instrumentAndRun', fixtureUri('charts.mm'), { app: APP, quiet: true });
            assert.equal(after?.exitCode, 0, after?.stderr);
            const runs = api.runs();
            assert.ok(runs.length >= 3 && runs[2].id === first, `${first}: ${JSON.stringify(runs)}`);
            const cmp = await vscode.commands.executeCommand<{ variables: { name: string; deltas: { label: string; before: number; after: number; delta: number }[] }[] }>(
                'whamm.compareRuns', runs[1].id, runs[0].id);
            const names = after!.result!.functions!;
            const b = new Map(entries(before!.result, 'per_fn').map(e => [names[e.key], Number(e.value)]));
            const a = new Map(entries(after!.result, 'per_fn').map(e => [names[e.key], Number(e.value)]));
            const deltas = cmp.variables.find(v => v.name === 'per_fn')!.deltas;
            for (const d of deltas) assert.equal(d.delta, (a.get(d.label) ?? 0) - (b.get(d.label) ?? 0), d.label);
            assert.ok(deltas[0].delta > 0, 'stores add to some function');
            const chart = await waitFor('the comparison chart', () => api.reportCharts().find(c => c.id === 'compare:per_fn' && c.svg));
            assert.ok(chart.texts.includes(deltas[0].label), chart.texts.join(', '));
            await screenshot('report-compare-dark');
            // Undo the edit: the report on screen (from the edited text) is now stale.
            await vscode.window.showTextDocument(doc, { preview: false });
            await vscode.commands.executeCommand('undo');
            await waitFor('the report to be marked stale', () => api.reportState().stale === 'the script changed since this run' ? true : undefined);
        } finally {
            await vscode.window.showTextDocument(doc);
            await vscode.commands.executeCommand('workbench.action.files.revert');
        }
    });

    it('heat in one amber hue over coverage: light, dark and high-contrast screenshots; a legend in words for screen readers', async () => {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false, selection: new vscode.Range(36, 0, 36, 0) });
        const r = await vscode.commands.executeCommand<CoverageOutcome>('whamm.runWithCoverage', { app: APP, quiet: true });
        assert.equal(r?.exitCode, 0, r?.stderr);
        await waitFor('heat on main.c', () => api.heatDecorations().some(d => d.file === MAIN_C) ? true : undefined);
        const legend = api.heatLegend();
        assert.ok(legend.visible);
        assert.doesNotMatch(legend.accessibleLabel, /[<>]|&nbsp;/);
        assert.match(legend.accessibleLabel, /^Whamm heat legend: \d levels from 1 to [\d,]+ instructions per line/);
        await vscode.commands.executeCommand('testing.coverage.toggleInline').then(undefined, () => undefined);
        for (const [t, id] of [['Default Light Modern', 'heat-light'], ['Default Dark Modern', 'heat-dark'], ['Default High Contrast', 'heat-high-contrast']] as const) {
            await theme(t);
            await screenshot(id);
        }
        await vscode.commands.executeCommand('testing.coverage.toggleInline').then(undefined, () => undefined);
    });
});
