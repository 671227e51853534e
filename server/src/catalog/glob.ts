// Whamm rule-part globs: `*` any run of characters, `?` one character, `a|b` alternatives, `[...]` a
// character class (`[!...]` or `[^...]` negated); an empty part matches everything.

const cache = new Map<string, RegExp>();

/** Compiles a rule-part glob to an anchored RegExp (cached). */
export function globToRegExp(glob: string): RegExp {
    let re = cache.get(glob);
    if (re) return re;
    const alts = splitAlternatives(glob).map(altToSource);
    re = new RegExp(`^(?:${alts.join('|')})$`);
    cache.set(glob, re);
    return re;
}

/** True when `name` matches the glob; the empty glob matches everything. */
export function globMatch(glob: string, name: string): boolean {
    if (glob === '' || glob === '*') return true;
    return globToRegExp(glob).test(name);
}

/** True when the glob contains no wildcard, class or alternative (it names exactly one thing). */
export function isLiteralGlob(glob: string): boolean {
    return glob !== '' && !/[*?|[]/.test(glob);
}

function splitAlternatives(glob: string): string[] {
    const out: string[] = [];
    let depth = 0, start = 0;
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '[') depth++;
        else if (c === ']' && depth > 0) depth--;
        else if (c === '|' && depth === 0) { out.push(glob.slice(start, i)); start = i + 1; }
    }
    out.push(glob.slice(start));
    return out;
}

function altToSource(alt: string): string {
    if (alt === '') return '.*';
    let s = '';
    for (let i = 0; i < alt.length; i++) {
        const c = alt[i];
        if (c === '*') s += '.*';
        else if (c === '?') s += '.';
        else if (c === '[') {
            const close = alt.indexOf(']', i + 2);
            if (close < 0) { s += '\\['; continue; }
            let body = alt.slice(i + 1, close);
            let neg = '';
            if (body[0] === '!' || body[0] === '^') { neg = '^'; body = body.slice(1); }
            s += `[${neg}${body.replace(/[\\\]]/g, '\\$&')}]`;
            i = close;
        } else s += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
    return s;
}
