// A bounds-checked little-endian cursor over a byte range, for the debug-info readers. Every read past
// `end` throws a DecodeError naming the offset, so malformed input becomes a message, never a crash.

export class DecodeError extends Error {
    constructor(message: string, readonly offset: number) {
        super(`${message} (at offset 0x${offset.toString(16)})`);
    }
}

const utf8 = new TextDecoder('utf-8');

export class ByteReader {
    private readonly view: DataView;

    constructor(readonly bytes: Uint8Array, public pos = 0, public end = bytes.length) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    get atEnd(): boolean {
        return this.pos >= this.end;
    }

    private need(n: number): void {
        if (this.pos + n > this.end) throw new DecodeError(`unexpected end of data reading ${n} byte(s)`, this.pos);
    }

    u8(): number {
        this.need(1);
        return this.bytes[this.pos++];
    }

    u16(): number {
        this.need(2);
        const v = this.view.getUint16(this.pos, true);
        this.pos += 2;
        return v;
    }

    u24(): number {
        this.need(3);
        const v = this.bytes[this.pos] | (this.bytes[this.pos + 1] << 8) | (this.bytes[this.pos + 2] << 16);
        this.pos += 3;
        return v;
    }

    u32(): number {
        this.need(4);
        const v = this.view.getUint32(this.pos, true);
        this.pos += 4;
        return v;
    }

    /** A 64-bit value as a number; exact below 2^53, which covers every offset in a Wasm module. */
    u64(): number {
        this.need(8);
        const lo = this.view.getUint32(this.pos, true);
        const hi = this.view.getUint32(this.pos + 4, true);
        this.pos += 8;
        return hi * 0x1_0000_0000 + lo;
    }

    /** An unsigned value of `size` bytes (1, 2, 4 or 8). */
    uN(size: number): number {
        switch (size) {
            case 1: return this.u8();
            case 2: return this.u16();
            case 4: return this.u32();
            case 8: return this.u64();
            default: throw new DecodeError(`unsupported integer size ${size}`, this.pos);
        }
    }

    uleb(): number {
        let result = 0, mul = 1, b: number;
        do {
            this.need(1);
            b = this.bytes[this.pos++];
            result += (b & 0x7f) * mul;
            mul *= 128;
        } while (b & 0x80);
        return result;
    }

    sleb(): number {
        let result = 0, mul = 1, b: number;
        do {
            this.need(1);
            b = this.bytes[this.pos++];
            result += (b & 0x7f) * mul;
            mul *= 128;
        } while (b & 0x80);
        if (b & 0x40) result -= mul;
        return result;
    }

    skip(n: number): void {
        this.need(n);
        this.pos += n;
    }

    /** A NUL-terminated UTF-8 string. */
    cstring(): string {
        const start = this.pos;
        let p = start;
        while (p < this.end && this.bytes[p] !== 0) p++;
        if (p >= this.end) throw new DecodeError('unterminated string', start);
        this.pos = p + 1;
        return utf8.decode(this.bytes.subarray(start, p));
    }
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array | undefined, offset: number, sectionName: string): string {
    if (!section) throw new DecodeError(`string reference into missing ${sectionName}`, offset);
    if (offset >= section.length) throw new DecodeError(`string offset past the end of ${sectionName}`, offset);
    return new ByteReader(section, offset).cstring();
}
