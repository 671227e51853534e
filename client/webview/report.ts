// The Report view's page (bundled by esbuild into out/webview/report.js, echarts included: no network).
// It draws what the extension computed (report/viewModel.ts): tables, charts, the comparison of two runs,
// and hands back what it drew (read from its own DOM) and chart images for export.
import { BarChart, GraphChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartModel, ViewModel } from '../src/report/viewModel.js';

echarts.use([BarChart, GraphChart, HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };
const vscode = acquireVsCodeApi();
const charts = new Map<string, echarts.ECharts>();

function css(name: string, fallback: string): string {
    return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', {}, label);
    b.onclick = onClick;
    return b;
}

function chartOption(c: ChartModel): echarts.EChartsCoreOption {
    const fg = css('--vscode-foreground', '#444');
    const muted = css('--vscode-descriptionForeground', '#888');
    // The SVG renderer writes the family into a double-quoted style attribute: its own quotes must be single.
    const text = { color: fg, fontFamily: css('--vscode-font-family', 'sans-serif').replace(/"/g, "'") };
    const base = { animation: false, textStyle: text, tooltip: { confine: true } };
    if (c.kind === 'bar') {
        const neg = css('--vscode-charts-red', '#e51400'), pos = css('--vscode-charts-blue', '#1a85ff');
        return {
            ...base,
            grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
            xAxis: { type: 'value', axisLabel: { color: muted }, splitLine: { lineStyle: { color: css('--vscode-panel-border', '#8884') } } },
            yAxis: { type: 'category', inverse: true, data: c.labels, axisLabel: { color: fg, width: 260, overflow: 'truncate' } },
            series: [{ type: 'bar', data: c.values.map(v => ({ value: v, itemStyle: { color: v < 0 ? neg : pos } })), label: { show: true, position: 'right', color: fg } }],
        };
    }
    if (c.kind === 'graph') {
        const max = Math.max(1, ...c.graph.edges.map(e => e.value));
        const nmax = Math.max(1, ...c.graph.nodes.map(n => n.value));
        return {
            ...base,
            series: [{
                type: 'graph', layout: c.graph.nodes.length <= 60 ? 'circular' : 'force', roam: true, draggable: true,
                label: { show: true, color: fg, position: 'right' }, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
                data: c.graph.nodes.map(n => ({ id: n.id, name: n.name, value: n.value, symbolSize: 10 + 20 * Math.sqrt(n.value / nmax), itemStyle: { color: css('--vscode-charts-blue', '#1a85ff') } })),
                links: c.graph.edges.map(e => ({ source: e.source, target: e.target, value: e.value, lineStyle: { width: 1 + 5 * e.value / max, color: muted, opacity: 0.8, curveness: 0.15 } })),
                edgeLabel: { show: c.graph.edges.length <= 30, formatter: '{c}', color: muted },
            }],
        };
    }
    const h = c.heat;
    return {
        ...base,
        grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
        xAxis: { type: 'category', data: Array.from({ length: h.columns }, (_, i) => String(i)), axisLabel: { color: muted, interval: h.columns > 16 ? 7 : 0 },
            name: h.granularity === 'page' ? 'page in row' : 'cache line in row', nameLocation: 'middle', nameGap: 22, nameTextStyle: { color: muted } },
        yAxis: { type: 'category', data: h.rowLabels, axisLabel: { color: fg } },
        visualMap: { min: 0, max: h.max || 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, textStyle: { color: fg },
            inRange: { color: ['#fde9c8', '#f7b267', '#e8741e', '#a63c06'] } },
        series: [{ type: 'heatmap', data: h.cells, emphasis: { itemStyle: { borderColor: fg, borderWidth: 1 } } }],
    };
}

function chartBlock(c: ChartModel): HTMLElement {
    const height = c.kind === 'bar' ? Math.max(120, 26 * c.labels.length + 30) : c.kind === 'graph' ? 420 : Math.max(140, 22 * c.heat.rowLabels.length + 80);
    const box = el('div', { class: 'chart', 'data-chart': c.id, 'data-kind': c.kind, role: 'img', 'aria-label': c.title });
    box.style.height = `${height}px`;
    const wrap = el('figure', {},
        el('figcaption', {}, c.title, ' ',
            button('PNG', () => vscode.postMessage({ type: 'exportChart', id: c.id, format: 'png' })),
            button('SVG', () => vscode.postMessage({ type: 'exportChart', id: c.id, format: 'svg' }))),
        box);
    queueMicrotask(() => {
        const chart = echarts.init(box, undefined, { renderer: 'svg' });
        chart.setOption(chartOption(c));
        charts.set(c.id, chart);
    });
    return wrap;
}

function table(t: ViewModel['tables'][number]): HTMLElement {
    const head = el('tr');
    for (const c of t.columns) {
        const sorted = t.sort?.column === c;
        const th = el('th', { tabindex: '0', 'aria-sort': sorted ? (t.sort!.descending ? 'descending' : 'ascending') : 'none' }, c + (sorted ? (t.sort!.descending ? ' ▾' : ' ▴') : ''));
        const sort = () => vscode.postMessage({ type: 'sort', table: t.name, column: c });
        th.onclick = sort;
        th.onkeydown = e => { if (e.key === 'Enter' || e.key === ' ') sort(); };
        head.append(th);
    }
    const body = el('tbody');
    for (const r of t.rows) body.append(el('tr', {}, ...r.map(v => el('td', {}, v))));
    const tbl = el('table', { 'data-table': t.name }, el('thead', {}, head), body);
    const n = t.rows.length + t.hidden;
    return el('section', {},
        el('h2', {}, t.name, ' ', el('small', {}, `${t.type} · ${n} row${n === 1 ? '' : 's'}${t.hidden ? ` (first ${t.rows.length} shown; exports hold all)` : ''}`)),
        ...t.charts.map(chartBlock), tbl);
}

function compareBlock(m: ViewModel): HTMLElement {
    const pick = (name: string, selected?: string) => {
        const s = el('select', { id: name, 'aria-label': name === 'before' ? 'Run before' : 'Run after' });
        for (const r of m.runs) {
            const o = el('option', { value: r.id }, r.label);
            if (r.id === selected) o.selected = true;
            s.append(o);
        }
        return s;
    };
    const before = pick('before', m.runs[1]?.id), after = pick('after', m.runId ?? m.runs[0]?.id);
    const out = el('section', { class: 'compare' }, el('h2', {}, 'Compare two runs'),
        el('p', {}, 'Before ', before, ' after ', after, ' ',
            button('Compare', () => vscode.postMessage({ type: 'compare', before: before.value, after: after.value }))));
    if (m.compare) {
        out.append(el('p', {}, el('small', {}, `${m.compare.before} → ${m.compare.after}`)));
        for (const v of m.compare.variables) {
            const rows = el('tbody');
            for (const d of v.deltas) rows.append(el('tr', {}, el('td', {}, d.label), el('td', {}, String(d.before)), el('td', {}, String(d.after)), el('td', {}, (d.delta > 0 ? '+' : '') + d.delta)));
            out.append(el('h3', {}, v.name));
            // A variable that did not change is said in a line, not in a table of zeros.
            if (v.deltas.every(d => d.delta === 0)) { out.append(el('p', {}, `No change (${v.deltas.length} row${v.deltas.length === 1 ? '' : 's'}).`)); continue; }
            if (v.chart.kind === 'bar' && v.chart.labels.length) out.append(chartBlock(v.chart));
            out.append(el('table', { 'data-compare': v.name }, el('thead', {}, el('tr', {}, ...['row', 'before', 'after', 'change'].map(h => el('th', {}, h)))), rows));
        }
    }
    return out;
}

let lastModel: ViewModel | undefined;
let shownCompare: string | undefined;
// VS Code switches the theme by the body's class: charts take their colours from the theme, so redraw.
new MutationObserver(() => { if (lastModel) render(lastModel); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function render(m: ViewModel): void {
    lastModel = m;
    for (const c of charts.values()) c.dispose();
    charts.clear();
    const app = document.getElementById('app')!;
    app.replaceChildren(
        el('header', {}, el('strong', {}, m.title),
            el('p', {}, button('Export CSV', () => vscode.postMessage({ type: 'export', format: 'csv' })), button('Export JSON', () => vscode.postMessage({ type: 'export', format: 'json' })))));
    if (m.stale) app.append(el('div', { class: 'banner stale', role: 'status' }, `Stale: ${m.stale}. Run again to refresh.`));
    if (m.problem) app.append(el('div', { class: 'banner problem', role: 'alert' }, m.problem));
    if (m.note) app.append(el('div', { class: 'banner', role: 'status' }, m.note));
    if (!m.tables.length) app.append(el('p', {}, 'The run flushed no report (the script declares no report variables, or the app did not finish).'));
    for (const t of m.tables) app.append(table(t));
    if (m.runs.length > 1) {
        const block = compareBlock(m);
        app.append(block);
        // A comparison just made is below the tables: bring it into view (once, not on every redraw).
        const key = m.compare ? `${m.compare.before}→${m.compare.after}` : undefined;
        if (key && key !== shownCompare) queueMicrotask(() => block.scrollIntoView({ block: 'start' }));
        shownCompare = key;
    }
    // Once drawn (echarts paints on the next frames), say what is on the page, read back from the DOM.
    const generation = ++renders;
    for (const ms of [100, 600, 2000]) setTimeout(() => { if (generation === renders) reportDrawn(); }, ms);
}

let renders = 0;
function reportDrawn(): void {
    const drawn = [...document.querySelectorAll<HTMLElement>('.chart')].map(box => ({
        id: box.dataset.chart ?? '', kind: box.dataset.kind ?? '', svg: !!box.querySelector('svg'),
        shapes: box.querySelectorAll('svg path, svg rect').length,
        texts: [...box.querySelectorAll('svg text')].map(t => t.textContent ?? '').filter(Boolean),
    }));
    vscode.postMessage({ type: 'rendered', charts: drawn });
}

const tick = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/** The chart `id` once this page has drawn its model (a request can arrive before the model does). */
async function drawnChart(id: string): Promise<echarts.ECharts | undefined> {
    for (let i = 0; !lastModel && i < 150; i++) await tick(100);
    await tick(0);
    return charts.get(id);
}

async function chartImage(id: string, format: 'png' | 'svg'): Promise<string> {
    const chart = await drawnChart(id);
    if (!chart) throw new Error('the Report view did not draw this chart');
    // The SVG renderer's own markup, on the theme's background; checked to be well-formed XML.
    const bg = css('--vscode-editor-background', '#ffffff');
    const markup = chart.renderToSVGString().replace(/^<svg([^>]*)>/, `<svg$1><rect width="100%" height="100%" fill="${bg}"/>`);
    const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
    if (parsed.querySelector('parsererror')) throw new Error(`the chart's SVG is not well-formed: ${parsed.querySelector('parsererror')?.textContent?.split('\n')[0] ?? ''}`);
    const svg = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
    if (format === 'svg') return svg;
    const img = new Image();
    await new Promise<void>((resolve, reject) => { img.onload = () => resolve(); img.onerror = () => reject(new Error('the chart could not be rasterised')); img.src = svg; });
    const canvas = document.createElement('canvas');
    const scale = 2;
    canvas.width = chart.getWidth() * scale;
    canvas.height = chart.getHeight() * scale;
    const g = canvas.getContext('2d')!;
    g.scale(scale, scale);
    g.drawImage(img, 0, 0, chart.getWidth(), chart.getHeight());
    return canvas.toDataURL('image/png');
}

window.addEventListener('message', e => {
    const msg = e.data as { type: string; model?: ViewModel; id?: string; format?: 'png' | 'svg' };
    if (msg.type === 'model' && msg.model) render(msg.model);
    else if (msg.type === 'exportChart' && msg.id && msg.format) {
        void chartImage(msg.id, msg.format).then(
            data => vscode.postMessage({ type: 'chartData', id: msg.id, format: msg.format, data }),
            (e: Error) => vscode.postMessage({ type: 'chartData', id: msg.id, format: msg.format, error: e.message }));
    }
});
window.addEventListener('resize', () => { for (const c of charts.values()) c.resize(); });

const style = document.createElement('style');
style.textContent = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; font-family: var(--vscode-editor-font-family); }
th { cursor: pointer; background: var(--vscode-editorWidget-background); user-select: none; }
small { color: var(--vscode-descriptionForeground); font-weight: normal; }
button { background: var(--vscode-button-secondaryBackground, var(--vscode-button-background)); color: var(--vscode-button-secondaryForeground, var(--vscode-button-foreground)); border: 1px solid var(--vscode-contrastBorder, transparent); padding: 2px 8px; margin-right: 6px; cursor: pointer; }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); }
figure { margin: 0 0 1em 0; max-width: 900px; }
figcaption { margin-bottom: 4px; }
.banner { padding: 6px 10px; margin: 8px 0; border-left: 4px solid; }
.stale { border-color: var(--vscode-editorWarning-foreground); background: var(--vscode-inputValidation-warningBackground); }
.problem { border-color: var(--vscode-editorError-foreground); background: var(--vscode-inputValidation-errorBackground); }
`;
document.head.append(style);
vscode.postMessage({ type: 'ready' });
