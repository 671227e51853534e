// The preview document: the app's WAT (our printer, wasm/wat-print.ts), every function in order: the ones
// a script touches in full with the injected code of the dry-run plan inlined where it goes, the others
// folded to their first line (printed in full when the user unfolds them). Every injected run of lines is a mark
// (probe, injection, sites), every site has its line, every function its line range, so the editor can
// highlight, link and fold without reading the text.
import { appIndex, headerOf, instrLines, namesOf, printedFunc } from './app-index.js';
import { type PrintedInstr } from '../wasm/wat-print.js';
import type { WasmModule } from '../wasm/decode.js';
import type { DryRunPlan, PlanInjection, PreviewFolded, PreviewFunction, PreviewMark, PreviewResult } from '../protocol.js';

/** At most this many functions are printed in full (the ones with the most sites first)... */
export const MAX_PREVIEW_FUNCTIONS = 150;
/** ...and about this many lines of them (instructions and injected code): the rest are folded, shown on request. */
export const MAX_PREVIEW_LINES = 20_000;
const BAR_WIDTH = 24;

export interface PreviewOptions {
    appName?: string;
    scriptName?: string;
    /** Times each function was entered in a run, by function name. */
    executions?: Record<string, number>;
    maxFunctions?: number;
    maxLines?: number;
    /** Functions to print in full even without matches (the user unfolded them). */
    expand?: readonly number[];
}

/** A bar of `width` cells for value/max (eighth blocks, so small counts still show). */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
    if (max <= 0 || value <= 0) return '';
    const eighths = Math.max(1, Math.round((value / max) * width * 8));
    const full = Math.floor(eighths / 8), rest = eighths % 8;
    return '█'.repeat(full) + (rest ? ' ▏▎▍▌▋▊▉'[rest] : '');
}

/** Per function: its sites, its injections and the injected lines they take (see plan.ts passCounts). */
export interface FunctionCounts { sites: Map<number, number>; injections: Map<number, number>; injectedLines: Map<number, number> }

/** The counts of a plan that lists every site and injection. */
export function countsOfPlan(plan: DryRunPlan): FunctionCounts {
    const c: FunctionCounts = { sites: new Map(), injections: new Map(), injectedLines: new Map() };
    for (const s of plan.sites) c.sites.set(s.fid, (c.sites.get(s.fid) ?? 0) + 1);
    for (const x of plan.injections) {
        c.injections.set(x.fid, (c.injections.get(x.fid) ?? 0) + 1);
        c.injectedLines.set(x.fid, (c.injectedLines.get(x.fid) ?? 0) + Math.max(1, x.code.length));
    }
    return c;
}

/** The functions with sites or injections, and the ones of them printed in full (most sites first, within the budgets). */
export function chooseShown(m: WasmModule, c: FunctionCounts, o: PreviewOptions = {}): { fids: number[]; shown: Set<number> } {
    const fids = [...new Set([...c.sites.keys(), ...c.injections.keys()])].filter(f => f >= m.numImportedFuncs && f < m.funcTypes.length);
    const weight = (f: number) => (c.sites.get(f) ?? 0) + (c.injections.get(f) ?? 0);
    const max = o.maxFunctions ?? MAX_PREVIEW_FUNCTIONS;
    const counts = appIndex(m).instrCount;
    // The functions with the most sites first, while they fit the line budget (the first always does).
    const cost = (f: number) => (counts.get(f) ?? 0) + (c.injectedLines.get(f) ?? 0);
    const shown = new Set<number>();
    let budget = o.maxLines ?? MAX_PREVIEW_LINES;
    for (const f of [...fids].sort((a, b) => weight(b) - weight(a) || a - b)) {
        if (shown.size >= max) break;
        const k = cost(f);
        if (shown.size && k > budget) continue;
        shown.add(f);
        budget -= k;
    }
    return { fids, shown };
}

/**
 * The preview document of a plan. With `fc` (the counts of the whole pass), the plan may list only the
 * sites and injections of the functions printed (chooseShown, and the ones unfolded on request).
 */
export function buildPreview(m: WasmModule, plan: DryRunPlan, o: PreviewOptions = {}, fc: FunctionCounts = countsOfPlan(plan)): PreviewResult {
    const { lines, result } = previewLines(m, plan, o, fc);
    return { ...result, text: lines.join('\n') };
}

/** The preview's text as lines (the last one empty: the text ends with a newline), and the rest of the answer. */
export function previewLines(m: WasmModule, plan: DryRunPlan, o: PreviewOptions, fc: FunctionCounts): { lines: string[]; result: Omit<PreviewResult, 'text'> } {
    const names = namesOf(m);
    // Per function: its sites and injections (plan order is placement order within a function).
    const sitesOf = new Map<number, number[]>();
    plan.sites.forEach((s, i) => { let a = sitesOf.get(s.fid); if (!a) sitesOf.set(s.fid, a = []); a.push(i); });
    const injOf = new Map<number, number[]>();
    plan.injections.forEach((x, i) => { let a = injOf.get(x.fid); if (!a) injOf.set(x.fid, a = []); a.push(i); });
    const counts = appIndex(m).instrCount;
    const { fids, shown } = chooseShown(m, fc, o);
    const ordered = fids.filter(f => shown.has(f)).sort((a, b) => a - b);
    const nSitesOf = (f: number) => fc.sites.get(f) ?? 0;

    const lines: string[] = [];
    const marks: PreviewMark[] = [];
    const functions: PreviewFunction[] = [];
    const siteLines = new Array<number>(plan.sites.length).fill(-1);

    // Header: what this is, then a bar per function (sites, and executions after a run).
    const nSites = plan.probes.reduce((a, p) => a + p.sites, 0);
    lines.push(`;; Injections of ${o.scriptName ?? 'the script'} into ${o.appName ?? 'the app'} — a dry run, nothing is written`);
    lines.push(`;; ${plan.probes.length} probe${plan.probes.length === 1 ? '' : 's'}, ${nSites} site${nSites === 1 ? '' : 's'} in ${fids.length} function${fids.length === 1 ? '' : 's'}; `
        + `added: ${plan.added.imports.length} imports, ${plan.added.functions.length} functions, ${plan.added.globals.length} globals`);
    for (const p of plan.probes) {
        lines.push(`;;   probe ${p.index} ${p.rule}: ${p.sites} site${p.sites === 1 ? '' : 's'}${p.noMatch ? ` — matches nothing: ${p.noMatch}` : ''}`);
    }
    if (ordered.length) {
        const exec = o.executions;
        const runs = (f: number) => exec?.[names.display(f)] ?? 0;
        const maxSites = Math.max(...ordered.map(nSitesOf));
        const maxExec = exec ? Math.max(0, ...ordered.map(runs)) : 0;
        const nameW = Math.min(32, Math.max(...ordered.map(f => names.display(f).length)));
        lines.push(';;');
        lines.push(`;; sites per function${exec ? ' | executions in the last run' : ''}`);
        for (const f of ordered) {
            const n = nSitesOf(f);
            const nm = names.display(f);
            let row = `;;   ${(nm.length > nameW ? `${nm.slice(0, nameW - 1)}…` : nm).padEnd(nameW)} ${bar(n, maxSites).padEnd(BAR_WIDTH)} ${String(n).padStart(5)}`;
            if (exec) row += `  | ${bar(runs(f), maxExec).padEnd(BAR_WIDTH)} ${runs(f)}`;
            lines.push(row);
        }
    }
    const omitted = fids.length - ordered.length;
    const untouched = m.bodies.length - fids.length;
    lines.push(`;; ${untouched} function${untouched === 1 ? '' : 's'} without matches${omitted ? ` and ${omitted} with matches (beyond what the preview prints at once)` : ''} ${untouched === 1 && !omitted ? 'is' : 'are'} folded to their first line (shown on request)`);

    // Every defined function in index order: in full where the script touches it (or on request), else
    // folded to its first line.
    const expand = new Set(o.expand ?? []);
    const folded: PreviewFolded[] = [];
    let prevFolded = false;
    for (const b of m.bodies) {
        const f = b.func;
        if (!shown.has(f) && !expand.has(f)) {
            if (!prevFolded) lines.push('');
            const n = nSitesOf(f);
            const instrs = counts.get(f) ?? 0;
            folded.push({ fid: f, name: names.display(f), line: lines.length, instrs, sites: n });
            lines.push(`${headerOf(m, f)} …)  ;; ${instrs} instruction${instrs === 1 ? '' : 's'}${n ? `, ${n} site${n === 1 ? '' : 's'}` : ''}`);
            prevFolded = true;
            continue;
        }
        prevFolded = false;
        lines.push('');
        const p = printedFunc(m, f);
        const start = lines.length;
        lines.push(p.header);
        for (const l of p.locals) lines.push(`  ${l}`);
        // Injections and sites by instruction.
        const atInstr = new Map<number, number[]>();
        for (const i of injOf.get(f) ?? []) { const k = plan.injections[i].opidx; let a = atInstr.get(k); if (!a) atInstr.set(k, a = []); a.push(i); }
        const sitesAt = new Map<number, number[]>();
        for (const i of sitesOf.get(f) ?? []) { const k = plan.sites[i].opidx; let a = sitesAt.get(k); if (!a) sitesAt.set(k, a = []); a.push(i); }
        const byProbe: Record<number, number> = {};
        const text = instrLines(m, f);
        const lastIns = p.instrs[p.instrs.length - 1];
        for (let n = 0; n < p.instrs.length; n++) {
            const ins = p.instrs[n];
            const here = atInstr.get(ins.opidx) ?? NONE;
            const sites = sitesAt.get(ins.opidx) ?? NONE;
            const isLast = ins === lastIns;
            // Most instructions: their line as it is.
            if (here === NONE && sites === NONE) { if (!isLast) lines.push(text[n]); continue; }
            let replaced = false;
            const emit = (i: number) => {
                const x = plan.injections[i];
                byProbe[x.probe] = (byProbe[x.probe] ?? 0) + 1;
                const first = lines.length;
                if (x.where === 'alt') { lines.push(`${indent(ins)};; replaced: ${ins.text}`); replaced = true; }
                const pad = indent(ins);
                x.code.forEach((c, k) => lines.push(`${pad}${c}${k === 0 ? `  ;; ← ${label(x)}` : ''}`));
                if (x.code.length === 0) lines.push(`${pad};; (no code) ${label(x)}`);
                marks.push({ startLine: first, endLine: lines.length - 1, injection: i, probe: x.probe, where: x.where, fid: f, sites });
            };
            for (const i of here) if (plan.injections[i].where === 'before') emit(i);
            for (const i of here) if (plan.injections[i].where === 'alt') emit(i);
            if (replaced) for (const s of sites) siteLines[s] = marks[marks.length - 1].startLine;
            else if (!isLast) {
                for (const s of sites) siteLines[s] = lines.length;
                lines.push(text[n]);
            }
            for (const i of here) if (plan.injections[i].where === 'after') emit(i);
            // The body's final `end` is implicit in the text format: its sites point at the closing parenthesis.
            if (isLast && !replaced) for (const s of sites) siteLines[s] = lines.length;
        }
        lines.push(')');
        functions.push({
            fid: f, name: names.display(f), startLine: start, endLine: lines.length - 1,
            sites: nSitesOf(f), byProbe, executions: o.executions?.[names.display(f)],
            ...(shown.has(f) ? {} : { expanded: true }),
        });
    }
    // Injected code is shown only where it is printed: the answer leaves it out for folded functions.
    const printed = new Set(functions.map(f => f.fid));
    const injections = plan.injections.map(x => printed.has(x.fid) || x.code.length === 0 ? x : { ...x, code: [] });
    lines.push('');
    return { lines, result: { plan: { ...plan, injections }, functions, folded, marks, siteLines, omittedFunctions: omitted } };
}

const NONE: number[] = [];

function indent(ins: PrintedInstr): string {
    return '  '.repeat(Math.max(1, ins.depth));
}

function label(x: PlanInjection): string {
    return x.probe < 0 ? `shared code (${x.where})` : `probe ${x.probe} ${x.where}`;
}
