// `whamm/sites`: where each probe of a script would be inserted in an app, without running it — the
// engine's own matcher (a full instrumentation pass whose output is dropped), so the count is exactly what
// `whamm instr` would do. Sites get source locations where the app has debug info. The client shows the
// counts as "N sites" CodeLenses and the locations in a picker.
import fs from 'node:fs';
import { instrument, ScriptError } from '../../engine/instrument.js';
import { loadSourceMapper, type SourceMapper } from '../../mapping/index.js';
import { parseScript } from '../parse.js';
import type { ProbeSites, SiteLocation, SitesParams, SitesResult } from '../../protocol.js';
import { appModuleFromFile } from '../../wast/wat.js';

export { SITES_REQUEST } from '../../protocol.js';
export type { ProbeSites, SiteLocation, SitesParams, SitesResult } from '../../protocol.js';

interface AppCache { path: string; mtimeMs: number; size: number; bytes: Uint8Array; mapper?: SourceMapper }
let cache: AppCache | undefined;
/** The last answer: CodeLenses are asked again on focus and scroll, with nothing changed. */
let last: { key: string; result: SitesResult } | undefined;

async function readApp(p: string): Promise<AppCache> {
    const st = fs.statSync(p);
    if (cache && cache.path === p && cache.mtimeMs === st.mtimeMs && cache.size === st.size) return cache;
    // A .wat app is assembled as the CLI assembles it (wabt, instructions exactly as written).
    const bytes = await appModuleFromFile(p, new Uint8Array(fs.readFileSync(p)));
    cache = { path: p, mtimeMs: st.mtimeMs, size: st.size, bytes };
    return cache;
}

export async function computeSites(params: SitesParams): Promise<SitesResult> {
    const limit = params.limit ?? 1000;
    let app: AppCache;
    try {
        app = await readApp(params.app);
    } catch (e) {
        return { probes: [], mapping: 'none', error: `cannot read the app ${params.app}: ${(e as Error).message}` };
    }
    const key = JSON.stringify([app.path, app.mtimeMs, app.size, params.script, params.userLibs ?? {}, limit, params.searchRoots ?? []]);
    if (last?.key === key) return last.result;
    const result = await sitesOf(app, params, limit);
    last = { key, result };
    return result;
}

async function sitesOf(app: AppCache, params: SitesParams, limit: number): Promise<SitesResult> {
    const parsed = await parseScript(params.script, params.scriptPath);
    if (parsed.diagnostics.some(d => d.severity === 1)) return { probes: [], mapping: 'none', error: 'the script has errors' };
    const probeNodes = (parsed.script.items ?? []).filter(i => i.$type === 'Probe');
    const libs = new Map<string, Uint8Array>();
    try {
        for (const [k, v] of Object.entries(params.userLibs ?? {})) libs.set(k, new Uint8Array(fs.readFileSync(v)));
    } catch (e) {
        return { probes: [], mapping: 'none', error: `cannot read a user library: ${(e as Error).message}` };
    }
    let result;
    try {
        result = await instrument({ app: app.bytes, script: params.script, scriptPath: params.scriptPath, userLibs: libs });
    } catch (e) {
        const msg = e instanceof ScriptError ? e.message : `instrumentation failed: ${(e as Error).message}`;
        return { probes: [], mapping: 'none', error: msg };
    }
    app.mapper ??= loadSourceMapper(app.bytes, app.path, { searchRoots: params.searchRoots });
    const locator = app.mapper.locator();
    const probes: ProbeSites[] = probeNodes.map((p, index) => {
        const start = p.$cstNode?.range.start ?? { line: 0, character: 0 };
        return { index, rule: p.rule ?? '', line: start.line, character: start.character, count: 0, sites: [] };
    });
    const t = result.sites;
    for (let i = 0; i < t.length; i++) {
        const ps = probes[t.probe[i]];
        if (!ps) continue;
        ps.count++;
        if (ps.sites.length >= limit) continue;
        const s = t.get(i);
        const loc: SiteLocation = { fid: s.fid, fname: s.fname, pc: s.pc, offset: s.offset, rule: s.rule };
        if (locator.at(s.offset)) { loc.file = locator.file; loc.line = locator.line; loc.column = locator.column; }
        ps.sites.push(loc);
    }
    return { probes, mapping: app.mapper.kind };
}
