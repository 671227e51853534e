// Matches a parsed probe rule against the event catalog: which (event, mode) pairs the probe applies to (the
// catalog's rule matcher, catalog/glob.ts), and a diagnostic for every part or `|` alternative that matches
// nothing. Offsets are relative to the rule text.
import { matchRuleParts, partMatches } from '../catalog/glob.js';
import type { GlobAlt, ParsedRule, RulePart } from '../language/rule-parser.js';
import type { CatalogView, EventDef } from './catalog-view.js';

export interface EventMatch {
    event: EventDef;
    /** The matched mode, or '' for mode-less events. */
    mode: string;
}

export interface RuleIssue {
    start: number;
    end: number;
    message: string;
    severity: 'error' | 'warning';
    code: string;
}

export interface RuleMatch {
    matches: EventMatch[];
    issues: RuleIssue[];
}

const cache = new WeakMap<ParsedRule, RuleMatch>();

export function matchRule(rule: ParsedRule, catalog: CatalogView): RuleMatch {
    let m = cache.get(rule);
    if (!m) {
        m = matchRuleUncached(rule, catalog);
        cache.set(rule, m);
    }
    return m;
}

// The event part also answers to the catalog's alternative spellings (e.g. `i32.atomic_load` for
// `i32.atomic.load`, which monitors in the wild use).
function altMatches(alt: GlobAlt, e: EventDef, i: number): boolean {
    return !!alt.regex && partMatches(e, i, alt.regex);
}

function matchesPart(part: RulePart, e: EventDef, i: number): boolean {
    return partMatches(e, i, part.glob);
}

const ROLE_NAME = ['provider', 'package', 'event'];

function matchRuleUncached(rule: ParsedRule, catalog: CatalogView): RuleMatch {
    const issues: RuleIssue[] = [];
    const parts = rule.parts;
    if (rule.problems.length > 0 || parts.length < 2 || parts.length > 4) {
        for (const p of rule.problems) issues.push({ ...p, severity: 'error', code: 'rule-syntax' });
        return { matches: [], issues };
    }
    const nameParts = Math.min(parts.length, 3);
    let candidates = catalog.events.filter(e => e.parts.length === nameParts);
    for (let i = 0; i < nameParts; i++) {
        const part = parts[i];
        const next = candidates.filter(e => matchesPart(part, e, i));
        const dead = part.alternatives.filter(alt => alt.regex && !candidates.some(e => altMatches(alt, e, i)));
        // Report each alternative that matches nothing among the events still in play.
        for (const alt of dead) {
            const scope = i === 0 ? '' : ` in \`${parts.slice(0, i).map(p => p.glob || '*').join(':')}\``;
            const what = ROLE_NAME[i];
            const longer = catalog.events.find(e => e.parts.length > nameParts
                && e.parts.slice(0, i + 1).every((_, j) => j === i ? altMatches(alt, e, j) : matchesPart(parts[j], e, j)));
            if (longer && i === nameParts - 1) {
                issues.push({
                    start: alt.start, end: alt.end, severity: 'error', code: 'incomplete-rule',
                    message: longer.modes.length > 0
                        ? `\`${longer.parts.slice(0, i + 1).join(':')}\` needs an event and a mode, e.g. \`${longer.parts.join(':')}:${longer.modes[0]}\``
                        : `\`${longer.parts.slice(0, i + 1).join(':')}\` needs an event, e.g. \`${longer.parts.join(':')}\``,
                });
                continue;
            }
            issues.push({
                start: alt.start, end: alt.end, severity: 'error', code: `unknown-${what}`,
                message: alt.isPattern
                    ? `\`${alt.text}\` matches no ${what}${scope}`
                    : `Unknown ${what} \`${alt.text}\`${scope}`,
            });
        }
        candidates = next;
        if (candidates.length === 0) return { matches: [], issues };
    }

    const matches: EventMatch[] = [];
    for (const m of matchRuleParts(candidates, parts.map(p => p.glob))) {
        if (m.modes.length === 0) matches.push({ event: m.event, mode: '' });
        else for (const mode of m.modes) matches.push({ event: m.event, mode });
    }
    if (parts.length === 4) {
        const modePart = parts[3];
        const moded = candidates.filter(e => e.modes.length > 0);
        if (moded.length === 0) {
            issues.push({
                start: modePart.start - 1, end: modePart.end, severity: 'error', code: 'mode-not-supported',
                message: `\`${parts.slice(0, 3).map(p => p.glob).join(':')}\` takes no mode`,
            });
            return { matches, issues };
        }
        const allModes = new Set(catalog.events.flatMap(e => e.modes));
        const supported = [...new Set(moded.flatMap(e => e.modes))];
        for (const alt of modePart.alternatives) {
            if (moded.some(e => e.modes.some(m => alt.regex?.test(m)))) continue;
            const known = [...allModes].some(m => alt.regex?.test(m));
            const events = moded.length === 1 ? `\`${moded[0].parts[2]}\`` : 'the matched events';
            issues.push({
                start: alt.start, end: alt.end, severity: 'error',
                code: known ? 'mode-not-supported' : 'unknown-mode',
                message: known
                    ? `Mode \`${alt.text}\` is not supported by ${events}; supported: ${supported.join(', ')}`
                    : `Unknown mode \`${alt.text}\`; ${events} support${moded.length === 1 ? 's' : ''}: ${supported.join(', ')}`,
            });
        }
    } else {
        const modeless = candidates.filter(e => e.modes.length === 0);
        if (modeless.length === 0) {
            const last = parts[parts.length - 1];
            const modes = [...new Set(candidates.flatMap(e => e.modes))];
            issues.push({
                start: last.start, end: last.end, severity: 'error', code: 'missing-mode',
                message: `Missing mode: add \`:${modes[0]}\` (supported: ${modes.join(', ')})`,
            });
        }
    }
    return { matches, issues };
}
