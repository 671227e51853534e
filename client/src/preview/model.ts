// What the injection preview knows about a preview result, independent of VS Code (unit-tested): which
// injection is on a line, which probe a script position is in, the next/previous injection, the summary
// of a probe's injections per function, and each probe's colour.
import * as path from 'node:path';
import type { PlanProbe, PreviewLineEdit, PreviewMark, PreviewResult, ScriptRange, SiteLocation } from '../../../server/src/protocol.js';

/** Probe colours (used cyclically): distinguishable on light and dark themes. */
export const PROBE_COLOURS = ['#e5a00d', '#3794ff', '#c74fd1', '#2ea043', '#f14c4c', '#1fb5b5', '#d18616', '#8c8cff'];

export function colourOf(probe: number): string {
    return probe < 0 ? '#888888' : PROBE_COLOURS[probe % PROBE_COLOURS.length];
}

/** The mark covering 0-based `line`, if any. */
export function markAtLine(r: PreviewResult, line: number): PreviewMark | undefined {
    // Marks are in line order: binary search.
    let lo = 0, hi = r.marks.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const m = r.marks[mid];
        if (line < m.startLine) hi = mid - 1;
        else if (line > m.endLine) lo = mid + 1;
        else return m;
    }
    return undefined;
}

function inRange(r: ScriptRange, line: number, character: number): boolean {
    if (line < r.line || line > r.endLine) return false;
    if (line === r.line && character < r.character) return false;
    if (line === r.endLine && character > r.endCharacter) return false;
    return true;
}

/** The probe whose text contains the script position. */
export function probeAt(probes: readonly PlanProbe[], line: number, character: number): PlanProbe | undefined {
    return probes.find(p => inRange(p.range, line, character));
}

/**
 * The next (dir 1) or previous (dir -1) mark after/before `line`, only of `probe` when given; wraps around.
 * A mark counts once even where it spans several lines.
 */
export function stepMark(r: PreviewResult, line: number, dir: 1 | -1, probe?: number): PreviewMark | undefined {
    const marks = probe === undefined ? r.marks : r.marks.filter(m => m.probe === probe);
    if (!marks.length) return undefined;
    if (dir > 0) return marks.find(m => m.startLine > line) ?? marks[0];
    for (let i = marks.length - 1; i >= 0; i--) if (marks[i].endLine < line) return marks[i];
    return marks[marks.length - 1];
}

/** "12 injections: main ×8, helper ×4" for one probe (functions with the most first). */
export function probeSummary(r: PreviewResult, probe: number, maxFunctions = 4): string {
    const per = r.functions.map(f => ({ name: f.name, n: f.byProbe[probe] ?? 0 })).filter(x => x.n > 0).sort((a, b) => b.n - a.n);
    const total = per.reduce((a, x) => a + x.n, 0);
    const p = r.plan.probes.find(x => x.index === probe);
    if (total === 0) {
        if (p?.noMatch) return `no injections: ${p.noMatch}`;
        return p && p.sites > 0 ? `${p.sites} site${p.sites === 1 ? '' : 's'}, code shared with other probes` : 'no injections';
    }
    const list = per.slice(0, maxFunctions).map(x => `${x.name} ×${x.n}`).join(', ') + (per.length > maxFunctions ? `, +${per.length - maxFunctions} more` : '');
    return `${total} injection${total === 1 ? '' : 's'} in ${per.length} function${per.length === 1 ? '' : 's'}: ${list}`;
}

/** Marks of one probe (all marks when probe is undefined). */
export function marksOf(r: PreviewResult, probe: number): PreviewMark[] {
    return r.marks.filter(m => m.probe === probe);
}

export interface SiteGroup { label: string; sites: SiteLocation[] }

/** Sites grouped by function and source file, groups in order of first appearance. */
export function groupSites(sites: readonly SiteLocation[], root?: string): SiteGroup[] {
    const groups = new Map<string, SiteGroup>();
    for (const s of sites) {
        const fn = s.fname || `func ${s.fid}`;
        const file = s.file ? (root && s.file.startsWith(root) ? path.relative(root, s.file) : s.file) : undefined;
        const label = file ? `${fn} — ${file}` : fn;
        let g = groups.get(label);
        if (!g) groups.set(label, g = { label, sites: [] });
        g.sites.push(s);
    }
    return [...groups.values()];
}

/**
 * Why a site cannot be shown in its source (no line for it, or its file is not on disk), said to the user
 * instead of doing nothing; undefined when the file can be opened.
 */
export function siteSourceProblem(s: Pick<SiteLocation, 'file' | 'line' | 'fname' | 'fid' | 'pc'>, exists: (file: string) => boolean): string | undefined {
    if (!s.file) return `Whamm: no source line for ${s.fname || `func ${s.fid}`} pc ${s.pc} (the app has no debug info there).`;
    if (!exists(s.file)) return `Whamm: the source file ${s.file} (line ${s.line}) is not on disk.`;
    return undefined;
}

/** The lines of a preview text after the server's line edits (PreviewResult.textEdits) of it. */
export function applyLineEdits(a: readonly string[], edits: readonly PreviewLineEdit[]): string[] {
    const out: string[] = [];
    let at = 0;
    for (const e of edits) {
        for (; at < e.start && at < a.length; at++) out.push(a[at]);
        for (const l of e.lines) out.push(l);
        at = e.start + e.deleteCount;
    }
    for (; at < a.length; at++) out.push(a[at]);
    return out;
}
