// Data too big to keep in memory while `instr` runs (the site table's rows, the code section's function
// bodies): appended to a scratch file beside the output (cli/output.ts scratchFile: unlinked at once where
// the system allows it) and read back in pieces when the output is written.
import fs from 'node:fs';
import { scratchFile } from './output.js';
import { writeAll } from '../runner/wasi.js';

/** Size of the pieces the data is read back in. */
const PIECE_BYTES = 4 << 20;

export class ScratchSpill {
    private scratch?: { fd: number; close(): void };
    private written = 0;
    /** `near`: the file the scratch file goes beside; `what`: named when it cannot be written. */
    constructor(private readonly near: string, private readonly what: string) {}

    /** How many bytes were written. */
    get size(): number { return this.written; }

    /** Appends `bytes` (the scratch file is made on the first call). */
    write(bytes: Uint8Array): void {
        if (!bytes.length) return;
        this.scratch ??= scratchFile(this.near, this.what);
        writeAll(this.scratch.fd, bytes);
        this.written += bytes.length;
    }

    /** What was written, in order, in pieces (each a view of one reused buffer: use it before the next). */
    *pieces(): Generator<Uint8Array> {
        if (!this.scratch) return;
        const piece = Buffer.alloc(Math.min(this.written, PIECE_BYTES));
        for (let at = 0; at < this.written;) {
            const n = fs.readSync(this.scratch.fd, piece, 0, Math.min(piece.length, this.written - at), at);
            if (n <= 0) throw new Error(`the ${this.what}'s scratch file ended early`);
            yield piece.subarray(0, n);
            at += n;
        }
    }

    close(): void { this.scratch?.close(); this.scratch = undefined; }
}
