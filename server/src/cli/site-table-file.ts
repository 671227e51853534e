// The site table beside an instrumented module (OUT.sites.json): which app, script and module it belongs
// to (paths and SHA-256), then one compact row per match site (it can have tens of millions):
// `[fid, pc, opidx, module offset of the original instruction, probe index, rule index]`. Rows are
// written as text chunk by chunk, never as one string (a big module's table passes V8's string limit);
// while the engine runs, full chunks go to a scratch file beside the output, so the table's memory stays
// one chunk however many sites there are.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SiteSink, SiteTable } from '../engine/site-table.js';
import { ScratchSpill } from './scratch-spill.js';

export function siteTablePath(output: string): string {
    return output.replace(/\.wasm$/, '') + '.sites.json';
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** SHA-256 of a file, read in pieces (the app can be big; its bytes in memory may be assembled from text). */
function fileSha256(file: string): string {
    const hash = crypto.createHash('sha256');
    const fd = fs.openSync(file, 'r');
    try {
        const piece = Buffer.alloc(1 << 20);
        for (let n; (n = fs.readSync(fd, piece, 0, piece.length, null)) > 0;) hash.update(piece.subarray(0, n));
    } finally {
        fs.closeSync(fd);
    }
    return hash.digest('hex');
}

/** Bytes of one row at most: `,\n[` and six int32s with their commas, and `]`. */
const ROW_BYTES = 3 + 6 * 12 + 1;
let rowBuf = new Uint8Array(ROW_BYTES * 1024);

/**
 * The rows [first, first + count) as text: `,\n` before every row but the table's first. Written as bytes
 * (no strings: a big table's text would be mostly garbage for the collector), into a buffer reused by the
 * next call: write the result out before asking for more.
 */
function rowsText(first: number, count: number, cols: readonly Int32Array[]): Uint8Array {
    if (rowBuf.length < count * ROW_BYTES) rowBuf = new Uint8Array(count * ROW_BYTES);
    const b = rowBuf;
    let at = 0;
    for (let j = 0; j < count; j++) {
        if (first + j) { b[at++] = COMMA; b[at++] = NEWLINE; }
        b[at++] = OPEN;
        for (let k = 0; k < 6; k++) {
            if (k) b[at++] = COMMA;
            at = writeInt(b, at, cols[k][j]);
        }
        b[at++] = CLOSE;
    }
    return b.subarray(0, at);
}

/** The characters of a row's text, as bytes. */
const [COMMA, NEWLINE, OPEN, CLOSE, MINUS, ZERO] = Array.from(',\n[]-0', c => c.charCodeAt(0));

/** Writes `v` (an int32) in decimal at `at`; returns the position after it. */
function writeInt(b: Uint8Array, at: number, v: number): number {
    if (v < 0) { b[at++] = MINUS; v = -v; }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    for (let i = at + digits - 1; i >= at; i--) { b[i] = ZERO + (v % 10); v = Math.floor(v / 10); }
    return at + digits;
}

/** Where the rows wait until the module (whose hash heads the table) is known. */
export class SiteRowsScratch {
    private readonly spill: ScratchSpill;
    constructor(output: string) { this.spill = new ScratchSpill(siteTablePath(output), 'site table'); }

    /** The engine's sink: each full chunk of rows is written out at once. */
    readonly sink: SiteSink = (first, count, cols) => this.spill.write(rowsText(first, count, cols));

    /** The rows written so far, in pieces. */
    pieces(): Generator<Uint8Array> { return this.spill.pieces(); }

    close(): void { this.spill.close(); }
}

export interface SiteTableHead {
    app: string; script: string; output: string; scriptBytes: Uint8Array;
    /** The module's SHA-256 (hex) and size. */
    module: { sha256: string; bytes: number };
}

/** SHA-256 (hex) of bytes given in pieces. */
export function piecesSha256(pieces: Iterable<Uint8Array>): string {
    const hash = crypto.createHash('sha256');
    for (const p of pieces) hash.update(p);
    return hash.digest('hex');
}

/** The table's bytes in pieces: its head, the rows already written to `scratch`, the rows still in `sites`. */
export function* siteTableData(h: SiteTableHead, sites: SiteTable, scratch?: SiteRowsScratch): Generator<Uint8Array> {
    const head = JSON.stringify({
        format: 'whamm-sites', app: path.resolve(h.app), script: path.resolve(h.script),
        appSha256: fileSha256(h.app), scriptSha256: sha256(h.scriptBytes),
        module: { path: path.resolve(h.output), sha256: h.module.sha256, bytes: h.module.bytes },
        rules: sites.rules, columns: ['fid', 'pc', 'opidx', 'offset', 'probe', 'rule'],
    });
    yield Buffer.from(head.slice(0, -1) + ',"sites":[\n');
    if (scratch) yield* scratch.pieces();
    for (const { first, count, cols } of sites.chunksOf()) yield rowsText(first, count, cols);
    yield Buffer.from('\n]}\n');
}
