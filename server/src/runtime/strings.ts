// `str` values at run time: i32 handles into a table of interned byte strings (UTF-8), kept on the JS
// side. Interning makes equal strings equal handles, so `==` on strings and `str` map keys compare
// handles. String operations are rare next to map updates, so host functions are fast enough here, and
// only the host can read another instance's memory (read_str/write_str/strcmp on the app or a library)
// while the app keeps its single memory.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class StringTable {
    private readonly bytes: Uint8Array[] = [];
    private readonly index = new Map<string, number>();

    /** Interns `s` (a JS string, stored as UTF-8) and returns its handle. */
    intern(s: string | Uint8Array): number {
        const b = typeof s === 'string' ? encoder.encode(s) : s;
        // A byte-per-char key is exact for arbitrary bytes (not every byte string is valid UTF-8).
        let key = '';
        for (let i = 0; i < b.length; i += 4096) key += String.fromCharCode(...b.subarray(i, i + 4096));
        let h = this.index.get(key);
        if (h === undefined) {
            h = this.bytes.length;
            this.bytes.push(b.slice());
            this.index.set(key, h);
        }
        return h;
    }

    get size(): number { return this.bytes.length; }

    bytesOf(h: number): Uint8Array {
        const b = this.bytes[h >>> 0];
        if (!b) throw new RangeError(`invalid string handle ${h}`);
        return b;
    }

    text(h: number): string { return decoder.decode(this.bytesOf(h)); }

    // ---------- `s.addr()`: where the bytes of a string are, for memcpy/read_str/strcmp ----------

    private readonly addrs = new Map<number, number>();
    /** Start addresses given out, ascending, with their handles. */
    private readonly starts: number[] = [];
    private readonly startHandles: number[] = [];
    private nextAddr = STRING_ADDR_BASE;

    /**
     * The address of string `h`'s bytes: strings live with the host, not in a Wasm memory, so each gets
     * a place in a reserved, read-only range of the address space (from STRING_ADDR_BASE), the first time
     * its address is asked for. Memory built-ins reading from that range read the strings.
     */
    addrOf(h: number): number {
        let a = this.addrs.get(h >>> 0);
        if (a === undefined) {
            const len = this.bytesOf(h).length;
            if (this.nextAddr + len + 1 > 0x1_0000_0000) throw new RangeError('too many string addresses taken');
            a = this.nextAddr;
            this.nextAddr += len + 1; // a gap byte: the end of one string is not the start of the next
            this.addrs.set(h >>> 0, a);
            this.starts.push(a);
            this.startHandles.push(h >>> 0);
        }
        return a;
    }

    /** Bytes [addr, addr+len) of a string whose address was given out; undefined when none holds them all. */
    bytesAtAddr(addr: number, len: number): Uint8Array | undefined {
        const a = addr >>> 0, n = len >>> 0;
        let lo = 0, hi = this.starts.length - 1, found = -1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (this.starts[mid] <= a) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0) return n === 0 ? new Uint8Array(0) : undefined;
        const b = this.bytes[this.startHandles[found]];
        const from = a - this.starts[found];
        if (from + n > b.length) return n === 0 ? new Uint8Array(0) : undefined;
        return b.subarray(from, from + n);
    }
}

/** Start of the address range where `s.addr()` places strings (above what apps' memories reach in practice). */
export const STRING_ADDR_BASE = 0xF000_0000;

export function startsWith(s: Uint8Array, p: Uint8Array): boolean {
    if (p.length > s.length) return false;
    for (let i = 0; i < p.length; i++) if (s[i] !== p[i]) return false;
    return true;
}

export function endsWith(s: Uint8Array, p: Uint8Array): boolean {
    if (p.length > s.length) return false;
    const o = s.length - p.length;
    for (let i = 0; i < p.length; i++) if (s[o + i] !== p[i]) return false;
    return true;
}

export function contains(s: Uint8Array, p: Uint8Array): boolean {
    if (p.length === 0) return true;
    outer: for (let i = 0; i + p.length <= s.length; i++) {
        for (let j = 0; j < p.length; j++) if (s[i + j] !== p[j]) continue outer;
        return true;
    }
    return false;
}

/** Decodes a Whamm string literal body (between the quotes) with its escapes to UTF-8 bytes. */
export function decodeWhammString(body: string): Uint8Array {
    const out: number[] = [];
    const pushText = (t: string) => { for (const b of encoder.encode(t)) out.push(b); };
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c !== '\\') {
            const cp = body.codePointAt(i)!;
            pushText(String.fromCodePoint(cp));
            if (cp > 0xffff) i++;
            continue;
        }
        const e = body[++i];
        switch (e) {
            case 'n': out.push(10); break;
            case 'r': out.push(13); break;
            case 't': out.push(9); break;
            case '0': out.push(0); break;
            case '"': out.push(34); break;
            case '\'': out.push(39); break;
            case '\\': out.push(92); break;
            case 'x': {
                const hex = body.slice(i + 1, i + 3);
                if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SyntaxError(`bad \\x escape in "${body}"`);
                out.push(parseInt(hex, 16));
                i += 2;
                break;
            }
            case 'u': {
                const close = body.indexOf('}', i);
                const hex = body.slice(i + 2, close);
                if (body[i + 1] !== '{' || close < 0 || !/^[0-9a-fA-F]{1,6}$/.test(hex)) throw new SyntaxError(`bad \\u escape in "${body}"`);
                const cp = parseInt(hex, 16);
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new SyntaxError(`\\u{${hex}} is not a Unicode scalar value`);
                pushText(String.fromCodePoint(cp));
                i = close;
                break;
            }
            default:
                throw new SyntaxError(`unknown escape \\${e ?? ''} in "${body}"`);
        }
    }
    return Uint8Array.from(out);
}
