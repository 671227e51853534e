// The site table: one row per match site (function, pc, opcode index, module offset, probe, rule).

import type { SiteRecord } from '../protocol.js';

export type { SiteRecord };

/** Rows per chunk once the table is large (the first chunks grow from 1024 up to it). */
const CHUNK = 1 << 16;
const COLUMNS = 6;

/**
 * Receives the site table's rows chunk by chunk as they fill, in row order (`cols[k][j]`: column k of
 * row `first + j`); the table then reuses the chunk, so the rows must be copied or written out at once.
 */
export type SiteSink = (first: number, count: number, cols: readonly Int32Array[]) => void;

/**
 * Every match site, column by column (a hot monitor on a large app has millions of them). Rows are kept
 * in chunks, so the table grows without copying (a doubling array would briefly hold three times the
 * rows); a column is made contiguous only when asked for (and kept until the next row is added).
 * With a sink, full chunks are handed to it and only the last chunk is kept: the table then answers
 * `length`, `rules`, `ruleOfProbe` and `chunksOf` (the rows not yet handed over), not row lookups.
 */
export class SiteTable {
    /** chunks[c][k]: column k of chunk c; starts[c]: the chunk's first row. */
    private readonly chunks: Int32Array[][] = [];
    private readonly starts: number[] = [];
    private n = 0;
    private end = 0;
    private joined: (Int32Array | undefined)[] = [];
    readonly rules: string[] = [];
    private readonly ruleIds = new Map<string, number>();
    /** The first rule each probe matched, by probe index. */
    private readonly probeRules: number[] = [];
    /** Rows handed to the sink (they come before the kept chunk). */
    private spilled = 0;
    constructor(private readonly fname: (fid: number) => string, private readonly sink?: SiteSink) {}

    get length(): number { return this.n; }
    get fid(): Int32Array { return this.column(0); }
    get pc(): Int32Array { return this.column(1); }
    get opidx(): Int32Array { return this.column(2); }
    get offset(): Int32Array { return this.column(3); }
    get probe(): Int32Array { return this.column(4); }
    get ruleId(): Int32Array { return this.column(5); }

    private column(k: number): Int32Array {
        this.requireRows();
        let col = this.joined[k];
        if (!col) {
            col = new Int32Array(this.n);
            this.chunks.forEach((ch, c) => col!.set(ch[k].subarray(0, Math.min(ch[k].length, this.n - this.starts[c])), this.starts[c]));
            this.joined[k] = col;
        }
        return col;
    }

    /** The rows in chunks: `cols[k][j]` is column k of row `first + j`, for j < count. */
    *chunksOf(): Generator<{ first: number; count: number; cols: Int32Array[] }> {
        for (let c = 0; c < this.chunks.length; c++) {
            if (this.n === this.starts[c]) break;
            const first = this.starts[c];
            yield { first, count: Math.min(this.chunks[c][0].length, this.n - first), cols: this.chunks[c] };
        }
    }

    ruleIdOf(rule: string): number {
        let r = this.ruleIds.get(rule);
        if (r === undefined) { r = this.rules.length; this.rules.push(rule); this.ruleIds.set(rule, r); }
        return r;
    }

    add(fid: number, pc: number, opidx: number, offset: number, probe: number, rule: string): void {
        this.addWithRuleId(fid, pc, opidx, offset, probe, this.ruleIdOf(rule));
    }

    /** The rule of the first site of probe `probe`, if it has one. */
    ruleOfProbe(probe: number): string | undefined {
        const r = this.probeRules[probe];
        return r === undefined ? undefined : this.rules[r];
    }

    /** Rows handed to the sink so far. */
    get handedOver(): number { return this.spilled; }

    addWithRuleId(fid: number, pc: number, opidx: number, offset: number, probe: number, ruleId: number): void {
        if (this.probeRules[probe] === undefined && probe >= 0) this.probeRules[probe] = ruleId;
        if (this.n === this.end && this.sink && this.chunks.length) {
            // The kept chunk is full: hand it over and reuse it.
            this.sink(this.starts[0], CHUNK, this.chunks[0]);
            this.spilled += CHUNK;
            this.starts[0] = this.end;
            this.end += CHUNK;
        }
        if (this.n === this.end) {
            // With a sink, one chunk of full size from the start (it is reused).
            const size = this.sink ? CHUNK : this.chunks.length >= 6 ? CHUNK : 1024 << this.chunks.length;
            this.chunks.push(Array.from({ length: COLUMNS }, () => new Int32Array(size)));
            this.starts.push(this.end);
            this.end += size;
        }
        if (this.joined.length) this.joined = [];
        const c = this.chunks[this.chunks.length - 1], j = this.n++ - this.starts[this.starts.length - 1];
        c[0][j] = fid; c[1][j] = pc; c[2][j] = opidx; c[3][j] = offset; c[4][j] = probe; c[5][j] = ruleId;
    }

    get(i: number): SiteRecord {
        this.requireRows();
        let lo = 0, hi = this.starts.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.starts[mid] <= i) lo = mid; else hi = mid - 1; }
        const c = this.chunks[lo], j = i - this.starts[lo];
        return { fid: c[0][j], fname: this.fname(c[0][j]), pc: c[1][j], opidx: c[2][j], offset: c[3][j], probe: c[4][j], rule: this.rules[c[5][j]] };
    }

    private requireRows(): void {
        if (this.spilled) throw new Error('the site table handed its rows to its sink; they cannot be read back');
    }

    *[Symbol.iterator](): Iterator<SiteRecord> {
        for (let i = 0; i < this.n; i++) yield this.get(i);
    }
}
