// The one matcher of probe rules (SPEC: "Match rules"): rule-part globs and the events a split rule
// selects. Used by the rule parser (language/rule-parser.ts compiles each `|` alternative here), the
// checker (frontend/rule-match.ts: matches and per-alternative diagnostics), `whamm info`, hover and
// completion.
//
// Globs: `*` any run of characters, `?` one character, `[...]` a character class (`[!...]` or `[^...]`
// negated), `a|b` alternatives; every other character stands for itself. An empty part matches everything.

/** Compiles one `|` alternative to an anchored RegExp, or returns what is wrong with it. */
export function compileGlob(glob: string): RegExp | string {
    let src = '^';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*') src += '.*';
        else if (c === '?') src += '.';
        else if (c === '[') {
            const close = glob.indexOf(']', i + 2);
            if (close < 0) return `Unclosed \`[\` in \`${glob}\``;
            let body = glob.substring(i + 1, close);
            let neg = '';
            if (body[0] === '!' || body[0] === '^') { neg = '^'; body = body.substring(1); }
            src += `[${neg}${body.replace(/[\\\]]/g, '\\$&')}]`;
            i = close;
        } else if (c === ']') return `Unmatched \`]\` in \`${glob}\``;
        else src += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
    try {
        return new RegExp(src + '$');
    } catch {
        return `Malformed glob \`${glob}\``;
    }
}

/** Splits a part's glob on `|` outside character classes. */
export function splitAlternatives(glob: string): string[] {
    const out: string[] = [];
    let bracket = false, start = 0;
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '[') bracket = true;
        else if (c === ']') bracket = false;
        else if (c === '|' && !bracket) { out.push(glob.slice(start, i)); start = i + 1; }
    }
    out.push(glob.slice(start));
    return out;
}

const NEVER = /(?!)/;
const cache = new Map<string, RegExp>();

/** A whole part's glob (alternatives included) as one anchored RegExp; a malformed alternative matches nothing. */
export function globToRegExp(glob: string): RegExp {
    let re = cache.get(glob);
    if (re) return re;
    const alts = splitAlternatives(glob).map(a => compileGlob(a)).map(r => (typeof r === 'string' ? NEVER : r).source);
    re = new RegExp(`(?:${alts.join('|')})`);
    if (cache.size > 5000) cache.clear();
    cache.set(glob, re);
    return re;
}

/** True when `name` matches the part's glob; the empty glob matches everything. */
export function globMatch(glob: string, name: string): boolean {
    if (glob === '' || glob === '*') return true;
    return globToRegExp(glob).test(name);
}

/** True when the glob contains no wildcard, class or alternative (it names exactly one thing). */
export function isLiteralGlob(glob: string): boolean {
    return glob !== '' && !/[*?|[]/.test(glob);
}

// ---- rules against events ----

/** What rule matching needs of an event: its name parts, other spellings of its event part, its modes. */
export interface RuleTarget {
    /** [provider, package] or [provider, package, event]. */
    readonly parts: readonly string[];
    /** Other spellings of the event part (`i32.atomic_load` for `i32.atomic.load`). */
    readonly aliases: readonly string[];
    readonly modes: readonly string[];
}

/** Names an event answers to at part `i` (the event part also answers to its aliases). */
export function namesAt(e: RuleTarget, i: number): readonly string[] {
    return i === 2 && e.aliases.length > 0 ? [e.parts[i], ...e.aliases] : [e.parts[i]];
}

/** True when part `i` of the event matches `test` (a compiled alternative or a whole part's glob). */
export function partMatches(e: RuleTarget, i: number, test: string | RegExp): boolean {
    if (typeof test === 'string') return namesAt(e, i).some(n => globMatch(test, n));
    return namesAt(e, i).some(n => test.test(n));
}

/** Events with as many name parts as `globs` (2: provider, package; 3: and event), each matching its glob. */
export function eventsNamed<E extends RuleTarget>(events: readonly E[], globs: readonly string[]): E[] {
    return events.filter(e => e.parts.length === globs.length && globs.every((g, i) => partMatches(e, i, g)));
}

/**
 * The events a split rule selects — [provider, package] picks two-part events, [provider, package, event]
 * mode-less three-part events, [provider, package, event, mode] the events with a mode the mode glob
 * matches — each with those modes ([] for mode-less events), in catalog order.
 */
export function matchRuleParts<E extends RuleTarget>(events: readonly E[], globs: readonly string[]): { event: E; modes: string[] }[] {
    const out: { event: E; modes: string[] }[] = [];
    if (globs.length < 2 || globs.length > 4) return out;
    const mode = globs[3];
    for (const e of eventsNamed(events, globs.slice(0, 3))) {
        if (mode === undefined) {
            if (e.modes.length === 0) out.push({ event: e, modes: [] });
            continue;
        }
        const modes = e.modes.filter(m => globMatch(mode, m));
        if (modes.length) out.push({ event: e, modes });
    }
    return out;
}
