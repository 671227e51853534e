// `whamm/sites`: where each probe of a script would be inserted in an app, without running it — the
// engine's own placement pass as a dry run (preview.ts, shared with the injection preview), so the count
// is exactly what `whamm instr` would do. Sites get source locations where the app has debug info, and
// probes that match nothing say why. The client shows the counts as "N sites" CodeLenses, the locations in
// a picker and the reasons as warnings on the rules.
import { planFor } from './preview.js';
import type { ProbeSites, SiteLocation, SitesParams, SitesResult } from '../../protocol.js';

export { SITES_REQUEST } from '../../protocol.js';
export type { ProbeSites, SiteLocation, SitesParams, SitesResult } from '../../protocol.js';

export async function computeSites(params: SitesParams): Promise<SitesResult> {
    const limit = params.limit ?? 1000;
    const plan = await planFor(params, limit);
    if (plan.error) return { probes: [], mapping: 'none', error: plan.scriptErrors ? 'the script has errors' : plan.error };
    const probes: ProbeSites[] = plan.probes.map(p => ({
        index: p.index, rule: p.rule, line: p.ruleRange.line, character: p.ruleRange.character, count: p.sites, sites: [],
        ruleRange: p.ruleRange, ...(p.predicate ? { predicate: p.predicate } : {}), ...(p.noMatch ? { noMatch: p.noMatch } : {}),
    }));
    for (const s of plan.sites) {
        const ps = probes[s.probe];
        if (!ps || ps.sites.length >= limit) continue;
        const loc: SiteLocation = { fid: s.fid, fname: s.fname, pc: s.pc, offset: s.offset, rule: s.rule, instr: s.instr };
        if (s.file) { loc.file = s.file; loc.line = s.line; loc.column = s.column; }
        ps.sites.push(loc);
    }
    return { probes, mapping: plan.mapping };
}
