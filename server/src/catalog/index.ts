// The Whamm event catalog: every event a probe rule can name, with its modes, bound variables and bound
// functions. Used by the language server (completion, hover, validation) and the engine (matching).
//
// API overview
//   allEvents(): WhammEvent[]                         every event (2-part, 3-part and opcode events)
//   eventByRule('wasm:opcode:i32.add'): WhammEvent?   exact lookup (aliases accepted for the event part)
//   opcodeEvent('i32.add'): WhammEvent?               the opcode event of an instruction name
//   matchEvents(provider, package, event?)            events whose parts match the globs (`*`, `?`, `a|b`,
//                                                     `[..]`, '' = everything); `event` undefined = a
//                                                     2-part rule (begin/end/report)
//   matchRule(parts: string[])                        the same from a split rule (2-4 globs, type bounds
//                                                     removed), with the mode glob applied: RuleMatch[]
//   modesOf(event): string[]                          supported modes ([] for mode-less events)
//   boundVarsOf(event, mode?): BoundVar[]             provider-wide + event variables usable in that mode
//                                                     (resN only in `after`); families have family=true
//   findBoundVar(event, mode, 'arg3'): BoundVar?      resolves a concrete name against explicit vars and
//                                                     families (arg[0:9]+ -> arg3)
//   boundFnsOf(event): BoundFn[]                      drop_args, alt_call_by_id, ...
//   opcodeCategory(op): {id, name}                   the static category_id / category_name of an opcode
//   immValues(op, instr.imms): (number|bigint)[]       values of imm0, imm1, ... for a decoded instruction
//   PROVIDERS / packagesOf(provider) / MODES          names for completion; MODE_DOCS for hover
// Types are strings the checker parses: `u32`, `str`, `bool`, `funcref`, `map<u32,u32>`, `unknown` (the
// site or a type bound decides). Static (`!`) variables are folded at instrumentation time.

import { eventsNamed, matchRuleParts, type RuleTarget } from './glob.js';
import { buildEvents, PROVIDER_VARS, type BoundFn, type BoundVar, type WhammEvent } from './events.js';
export { immValues } from './events.js';
import { MODE_DOCS } from './docs.js';

export type { BoundFn, BoundFnParam, BoundVar, WhammEvent } from './events.js';
export { PROVIDER_VARS } from './events.js';
export { MODE_DOCS, VAR_DOCS } from './docs.js';
export {
    compileGlob, eventsNamed, globMatch, globToRegExp, isLiteralGlob, matchRuleParts, namesAt, partMatches, splitAlternatives,
    type RuleTarget,
} from './glob.js';
export { opcodeCategory, type OpcodeCategory } from './categories.js';

const EVENTS: readonly WhammEvent[] = buildEvents();
const BY_RULE = new Map<string, WhammEvent>();
for (const e of EVENTS) {
    BY_RULE.set(e.rule, e);
    for (const a of e.aliases) BY_RULE.set(`wasm:${e.package}:${a}`, e);
}

export const PROVIDERS: readonly string[] = ['wasm'];
export const MODES: readonly string[] = ['before', 'after', 'alt', 'entry', 'exit', 'semantic_after', 'block_alt', 'at_target'];

export function allEvents(): readonly WhammEvent[] {
    return EVENTS;
}

export function eventByRule(rule: string): WhammEvent | undefined {
    return BY_RULE.get(rule);
}

export function opcodeEvent(name: string): WhammEvent | undefined {
    return BY_RULE.get(`wasm:opcode:${name}`);
}

/** Package names of a provider, in catalog order (`begin`, `end`, `report`, `func`, `block`, `opcode`). */
export function packagesOf(provider: string): string[] {
    const out: string[] = [];
    for (const e of EVENTS) if (e.provider === provider && !out.includes(e.package)) out.push(e.package);
    return out;
}

/** The events as rule-matching targets (name parts), in catalog order. */
const TARGETS: readonly (RuleTarget & { event: WhammEvent })[] = EVENTS.map(e => ({
    parts: e.event === '' ? [e.provider, e.package] : [e.provider, e.package, e.event], aliases: e.aliases, modes: e.modes, event: e,
}));

/**
 * Events whose provider, package and event parts match the globs. `event === undefined` selects the
 * two-part events (`wasm:begin`); otherwise only events with an event part are considered.
 */
export function matchEvents(provider: string, pkg: string, event?: string): WhammEvent[] {
    return eventsNamed(TARGETS, event === undefined ? [provider, pkg] : [provider, pkg, event]).map(t => t.event);
}

export interface RuleMatch {
    event: WhammEvent;
    /** Modes of the event the mode glob selects ([] for mode-less events). */
    modes: string[];
}

/**
 * Matches a split rule: [provider, package] | [provider, package, event] | [provider, package, event, mode].
 * With a mode part, events that support no matching mode are left out.
 */
export function matchRule(parts: readonly string[]): RuleMatch[] {
    return matchRuleParts(TARGETS, parts).map(m => ({ event: m.event.event, modes: m.modes }));
}

export function modesOf(event: WhammEvent): readonly string[] {
    return event.modes;
}

function usable(v: BoundVar, mode: string | undefined): boolean {
    return !v.modes || mode === undefined || v.modes.includes(mode);
}

/** Provider-wide and event variables available in `mode` (all modes when omitted). */
export function boundVarsOf(event: WhammEvent, mode?: string): BoundVar[] {
    const out: BoundVar[] = [];
    for (const v of PROVIDER_VARS) out.push(v);
    for (const v of event.vars) if (usable(v, mode)) out.push(v);
    return out;
}

/** Resolves a concrete variable name (`arg2`, `fid`) for a probe on `event` in `mode`. */
export function findBoundVar(event: WhammEvent, mode: string | undefined, name: string): BoundVar | undefined {
    const vars = boundVarsOf(event, mode);
    const exact = vars.find((v) => !v.family && v.name === name);
    if (exact) return exact;
    const m = /^([a-z_]+?)(\d+)$/.exec(name);
    if (!m) return undefined;
    const n = Number(m[2]);
    return vars.find((v) => v.family && v.name === m[1] && n >= v.from);
}

export function boundFnsOf(event: WhammEvent): readonly BoundFn[] {
    return event.fns;
}

/** The event a hover or completion shows for a mode name. */
export function modeDoc(mode: string): string {
    return MODE_DOCS[mode] ?? '';
}
