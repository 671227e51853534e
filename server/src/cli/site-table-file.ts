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
import { scratchFile } from './output.js';
import { writeAll } from '../runner/wasi.js';

export function siteTablePath(output: string): string {
    return output.replace(/\.wasm$/, '') + '.sites.json';
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** The rows [first, first + count) as text: `,\n` before every row but the table's first. */
function rowsText(first: number, count: number, [fid, pc, opidx, offset, probe, ruleId]: readonly Int32Array[]): Buffer {
    let text = '';
    for (let j = 0; j < count; j++) text += `${first + j ? ',\n' : ''}[${fid[j]},${pc[j]},${opidx[j]},${offset[j]},${probe[j]},${ruleId[j]}]`;
    return Buffer.from(text);
}

/** Where the rows wait until the module (whose hash heads the table) is known. */
export class SiteRowsScratch {
    private scratch?: { fd: number; close(): void };
    private size = 0;
    constructor(private readonly output: string) {}

    /** The engine's sink: each full chunk of rows is written out at once. */
    readonly sink: SiteSink = (first, count, cols) => {
        this.scratch ??= scratchFile(siteTablePath(this.output), 'site table');
        const text = rowsText(first, count, cols);
        writeAll(this.scratch.fd, text);
        this.size += text.length;
    };

    /** The rows written so far, in pieces. */
    *pieces(): Generator<Uint8Array> {
        if (!this.scratch) return;
        const piece = Buffer.alloc(Math.min(this.size, 4 << 20));
        for (let at = 0; at < this.size;) {
            const n = fs.readSync(this.scratch.fd, piece, 0, Math.min(piece.length, this.size - at), at);
            if (n <= 0) throw new Error('the site table\'s scratch file ended early');
            yield piece.subarray(0, n);
            at += n;
        }
    }

    close(): void { this.scratch?.close(); this.scratch = undefined; }
}

export interface SiteTableHead { app: string; script: string; output: string; appBytes: Uint8Array; scriptBytes: Uint8Array; module: Uint8Array }

/** The table's bytes in pieces: its head, the rows already written to `scratch`, the rows still in `sites`. */
export function* siteTableData(h: SiteTableHead, sites: SiteTable, scratch?: SiteRowsScratch): Generator<Uint8Array> {
    const head = JSON.stringify({
        format: 'whamm-sites', app: path.resolve(h.app), script: path.resolve(h.script),
        appSha256: sha256(h.appBytes), scriptSha256: sha256(h.scriptBytes),
        module: { path: path.resolve(h.output), sha256: sha256(h.module), bytes: h.module.length },
        rules: sites.rules, columns: ['fid', 'pc', 'opidx', 'offset', 'probe', 'rule'],
    });
    yield Buffer.from(head.slice(0, -1) + ',"sites":[\n');
    if (scratch) yield* scratch.pieces();
    for (const { first, count, cols } of sites.chunksOf()) yield rowsText(first, count, cols);
    yield Buffer.from('\n]}\n');
}
