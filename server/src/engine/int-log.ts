// A growing list of int32s for records a big module has millions of (trap fix-ups): kept in fixed-size
// chunks, so it grows without copying and takes 4 bytes a value (a number[] takes 8, and up to half
// again while it grows).

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

export class IntLog {
    private readonly chunks: Int32Array[] = [];
    private n = 0;

    get length(): number { return this.n; }

    push(v: number): void {
        const k = this.n & (CHUNK - 1);
        if (k === 0) this.chunks.push(new Int32Array(CHUNK));
        this.chunks[this.n >>> CHUNK_BITS][k] = v;
        this.n++;
    }

    get(i: number): number {
        return this.chunks[i >>> CHUNK_BITS][i & (CHUNK - 1)];
    }

    /** Drops every value. */
    clear(): void {
        this.chunks.length = 0;
        this.n = 0;
    }
}
