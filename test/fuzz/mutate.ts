// Seeded mutations of scripts and modules for the fuzzer (fuzz.ts). Deterministic: the same seed gives the
// same cases, so every finding can be replayed with `npm run fuzz -- --seed S --cases N`.

/** mulberry32: a small seeded PRNG. */
export class Rng {
    private state: number;
    constructor(seed: number) { this.state = seed >>> 0; }
    next(): number {
        let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    int(n: number): number { return Math.floor(this.next() * n); }
    pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
}

/** Fragments a typing user (or an attacker) produces: operators, brackets, keywords, rule pieces, half tokens. */
const FRAGMENTS = [
    '(', ')', '{', '}', '[', ']', ';', ',', ':', '.', '=', '=+', '+', '-', '*', '/', '%', '<', '>', '<<', '>>', '!', '~',
    '&&', '||', '==', '!=', '?', '@static', '@init', '"', '"\\', '/*', '*/', '//', 'as', 'as u32', 'if', 'else', 'elif',
    'return', 'var', 'report', 'unshared', 'fn', 'use', 'map<', 'map<u32, u32>', '(u32, u32)', 'u32', 'bool', 'str',
    'wasm:', 'wasm:opcode:', 'wasm:opcode:*:before', ':before', ':after', ':alt', '(arg0: i32)', '/ fid == 1 /', 'x', 'x =+;',
    '/ < /', '0x', '1.5e', '4294967296', '18446744073709551616', 'inf', 'NaN', 'true', 'arg0', 'fid', 'pc', '$', '#', '\\',
    '\u00e9', '\ud83d', '\u2028', '\0', '\t', '\n',
];

/** Bombs: constructs that used to exhaust the stack or the heap, at sizes around and far beyond the limits. */
function bomb(rng: Rng): string {
    const n = rng.pick([20, 39, 41, 140, 181, 470, 2000, 20000]);
    switch (rng.int(10)) {
        case 0: return '('.repeat(n) + '1' + ')'.repeat(rng.int(2) ? n : 0);
        case 1: return 'if (true) { '.repeat(n) + '}'.repeat(rng.int(2) ? n : 0);
        case 2: return '!'.repeat(n) + 'true';
        case 3: return Array(n).fill('1').join('+');
        case 4: return '"' + 'a'.repeat(n * rng.pick([1, 100, 3000])) + '"';
        case 5: return 'true ? 1 : '.repeat(n) + '2';
        case 6: return '1' + ' as u32'.repeat(n);
        case 7: return 'x' + '[1]'.repeat(n);
        case 8: return '{'.repeat(n);
        default: return 'if (a) {} ' + 'else if (b) {} '.repeat(n);
    }
}

/** One to three edits of a script, as a user types them (or as a fuzzer breaks them). */
export function mutateScript(text: string, rng: Rng): string {
    let t = text;
    const edits = 1 + rng.int(3);
    for (let e = 0; e < edits; e++) {
        const at = rng.int(t.length + 1);
        const len = rng.int(Math.min(40, t.length - at) + 1);
        switch (rng.int(8)) {
            case 0: t = t.substring(0, at) + t.substring(at + len); break;                       // delete
            case 1: t = t.substring(0, at) + rng.pick(FRAGMENTS) + t.substring(at); break;       // insert a fragment
            case 2: t = t.substring(0, at) + rng.pick(FRAGMENTS) + t.substring(at + len); break; // replace
            case 3: { const from = rng.int(t.length + 1); t = t.substring(0, at) + t.substring(from, from + rng.int(80)) + t.substring(at); break; } // copy
            case 4: t = t.substring(0, at); break;                                               // truncate
            case 5: t = t.substring(0, at) + rng.pick(FRAGMENTS).repeat(1 + rng.int(rng.int(4) === 0 ? 500 : 8)) + t.substring(at); break;
            case 6: if (rng.int(4) === 0) { t = t.substring(0, at) + bomb(rng) + t.substring(at); } break;
            default: { const c = t.charCodeAt(at) ^ (1 << rng.int(7)); t = t.substring(0, at) + String.fromCharCode(c) + t.substring(at + 1); } // bit flip
        }
    }
    return t;
}

/** One to three byte-level mutations of a module: flips, overwrites, truncation, insertions, LEB blowups. */
export function mutateModule(bytes: Uint8Array, rng: Rng): Uint8Array {
    let b = Array.from(bytes);
    const edits = 1 + rng.int(3);
    for (let e = 0; e < edits; e++) {
        const at = 8 + rng.int(Math.max(1, b.length - 8));
        switch (rng.int(6)) {
            case 0: b[at] = (b[at] ?? 0) ^ (1 << rng.int(8)); break;
            case 1: b[at] = rng.pick([0x00, 0x7f, 0x80, 0xff, 0x0b, 0x41, 0x10, 0x20, 0x01]); break;
            case 2: b = b.slice(0, at); break;
            case 3: b.splice(at, rng.int(8)); break;
            case 4: b.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))); break;
            default: b.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0x0f); break;
        }
    }
    return Uint8Array.from(b);
}
