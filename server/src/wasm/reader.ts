// A bounds-checked byte reader. Every failure becomes a WasmDecodeError naming the module offset and
// what was expected, so malformed input can never surface as a TypeError or RangeError.

export class WasmDecodeError extends Error {
    constructor(readonly offset: number, readonly expected: string, detail?: string) {
        super(`malformed wasm at offset ${offset} (0x${offset.toString(16)}): expected ${expected}${detail ? ` (${detail})` : ''}`);
        this.name = 'WasmDecodeError';
    }
}

export class Reader {
    pos: number;
    constructor(readonly bytes: Uint8Array, start = 0, public end = bytes.length) {
        this.pos = start;
    }

    get atEnd(): boolean { return this.pos >= this.end; }

    fail(expected: string, detail?: string, at = this.pos): never {
        throw new WasmDecodeError(at, expected, detail);
    }

    u8(what = 'a byte'): number {
        if (this.pos >= this.end) this.fail(what, 'unexpected end');
        return this.bytes[this.pos++];
    }

    /** Unsigned LEB128 up to 32 bits. */
    u32(what = 'a u32 LEB128'): number {
        const b = this.bytes, end = this.end;
        let pos = this.pos;
        if (pos < end) {
            const x = b[pos];
            if (x < 0x80) { this.pos = pos + 1; return x; }
        }
        let result = 0, shift = 0;
        const start = pos;
        for (;;) {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            const x = b[pos++];
            if (shift === 28 && (x & 0x70) !== 0) this.fail(what, 'LEB128 value exceeds 32 bits', start);
            // Integer operations only: a value computed in floating point (2 ** shift) is boxed as a heap
            // number even when small, and offsets and sizes derived from it slow every later use.
            result = shift < 28 ? result | ((x & 0x7f) << shift) : (result | ((x & 0x7f) << 28)) >>> 0;
            if ((x & 0x80) === 0) break;
            shift += 7;
            if (shift > 28) this.fail(what, 'LEB128 too long', start);
        }
        this.pos = pos;
        return result;
    }

    /** Unsigned LEB128 up to 64 bits, as a number (exact up to 2^53) — offsets and limits of memory64. */
    u64(what = 'a u64 LEB128'): number {
        const b = this.bytes, end = this.end, start = this.pos;
        let pos = this.pos, result = 0, mul = 1;
        for (let i = 0; ; i++) {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            if (i >= 10) this.fail(what, 'LEB128 too long', start);
            const x = b[pos++];
            result += (x & 0x7f) * mul;
            mul *= 128;
            if ((x & 0x80) === 0) break;
        }
        this.pos = pos;
        return result;
    }

    /** Signed LEB128 up to 32 bits. */
    s32(what = 'an s32 LEB128'): number {
        const b = this.bytes, end = this.end, start = this.pos;
        let pos = this.pos, result = 0, shift = 0, x = 0;
        do {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            if (shift > 28) this.fail(what, 'LEB128 too long', start);
            x = b[pos++];
            result |= (x & 0x7f) << shift;
            shift += 7;
        } while (x & 0x80);
        if (shift < 32 && (x & 0x40)) result |= -1 << shift;
        this.pos = pos;
        return result;
    }

    /** Signed LEB128 up to 33 bits (block types, heap types): small enough for a number. */
    s33(what = 'an s33 LEB128'): number {
        const b = this.bytes, end = this.end, start = this.pos;
        let pos = this.pos, result = 0, mul = 1, x = 0, n = 0;
        do {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            if (n++ >= 5) this.fail(what, 'LEB128 too long', start);
            x = b[pos++];
            result += (x & 0x7f) * mul;
            mul *= 128;
        } while (x & 0x80);
        if (x & 0x40) result -= mul;
        this.pos = pos;
        return result;
    }

    /** Signed LEB128 up to 64 bits, as a bigint (i64.const). */
    s64(what = 'an s64 LEB128'): bigint {
        const b = this.bytes, end = this.end, start = this.pos;
        let pos = this.pos, result = 0n, shift = 0n, x = 0, n = 0;
        do {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            if (n++ >= 10) this.fail(what, 'LEB128 too long', start);
            x = b[pos++];
            result |= BigInt(x & 0x7f) << shift;
            shift += 7n;
        } while (x & 0x80);
        if (x & 0x40) result -= 1n << shift;
        this.pos = pos;
        return BigInt.asIntN(64, result);
    }

    /** Skips one LEB128 of at most `maxBytes` bytes without decoding it. */
    skipLeb(maxBytes: number, what: string): void {
        const b = this.bytes, end = this.end, start = this.pos;
        let pos = this.pos;
        for (let i = 0; ; i++) {
            if (pos >= end) this.fail(what, 'unexpected end', start);
            if (i >= maxBytes) this.fail(what, 'LEB128 too long', start);
            if ((b[pos++] & 0x80) === 0) break;
        }
        this.pos = pos;
    }

    f32(): number {
        if (this.pos + 4 > this.end) this.fail('an f32', 'unexpected end');
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
        this.pos += 4;
        return v;
    }

    f64(): number {
        if (this.pos + 8 > this.end) this.fail('an f64', 'unexpected end');
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
    }

    /** A view (no copy) of the next n bytes. */
    take(n: number, what = `${n} bytes`): Uint8Array {
        if (n < 0 || this.pos + n > this.end) this.fail(what, 'unexpected end');
        const v = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
    }

    skip(n: number, what = `${n} bytes`): void {
        if (n < 0 || this.pos + n > this.end) this.fail(what, 'unexpected end');
        this.pos += n;
    }

    name(what = 'a name'): string {
        const len = this.u32(`${what} length`);
        const start = this.pos;
        const bytes = this.take(len, what);
        try {
            return UTF8.decode(bytes);
        } catch {
            return this.fail(`${what} in UTF-8`, 'invalid UTF-8', start);
        }
    }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
