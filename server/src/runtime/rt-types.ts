// Whamm's compound types as the runtime sees them. A tuple is flattened to its scalar leaves (one wasm
// value each, in order); a `str` is an i32 handle into the runtime's string table; a map is an i32 map id.
// Type texts are the ones the report prints: `u32`, `(i32,(i32,i32))`, `map<(u32,bool),u32>`.

export type LeafType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f32' | 'f64' | 'bool' | 'str';
export type RtType = LeafType | { tuple: RtType[] } | { map: [RtType, RtType] };

const LEAVES = new Set<string>(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool', 'str']);

export class RtTypeError extends Error {}

/** Parses a type text (spaces allowed). */
export function parseRtType(text: string): RtType {
    const s = text.replace(/\s+/g, '');
    let i = 0;
    const parse = (): RtType => {
        if (s[i] === '(') {
            i++;
            const items: RtType[] = [];
            if (s[i] === ')') throw new RtTypeError(`empty tuple in ${text}`);
            for (;;) {
                items.push(parse());
                if (s[i] === ',') { i++; continue; }
                if (s[i] === ')') { i++; break; }
                throw new RtTypeError(`bad tuple type ${text}`);
            }
            return { tuple: items };
        }
        if (s.startsWith('map<', i)) {
            i += 4;
            const k = parse();
            if (s[i] !== ',') throw new RtTypeError(`bad map type ${text}`);
            i++;
            const v = parse();
            if (s[i] !== '>') throw new RtTypeError(`bad map type ${text}`);
            i++;
            return { map: [k, v] };
        }
        const m = /^[a-z0-9]+/.exec(s.slice(i));
        if (!m || !LEAVES.has(m[0])) throw new RtTypeError(`unknown type ${m?.[0] ?? s.slice(i)} in ${text}`);
        i += m[0].length;
        return m[0] as LeafType;
    };
    const t = parse();
    if (i !== s.length) throw new RtTypeError(`bad type ${text}`);
    return t;
}

export function rtTypeText(t: RtType): string {
    if (typeof t === 'string') return t;
    if ('tuple' in t) return `(${t.tuple.map(rtTypeText).join(',')})`;
    return `map<${rtTypeText(t.map[0])},${rtTypeText(t.map[1])}>`;
}

/** The scalar leaves of a type, in order; a map is one leaf (its id, an i32). */
export function leaves(t: RtType): (LeafType | 'mapid')[] {
    if (typeof t === 'string') return [t];
    if ('tuple' in t) return t.tuple.flatMap(leaves);
    return ['mapid'];
}

export type WasmValType = 'i32' | 'i64' | 'f32' | 'f64';

export function leafValType(t: LeafType | 'mapid'): WasmValType {
    switch (t) {
        case 'u64': case 'i64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        default: return 'i32';
    }
}
