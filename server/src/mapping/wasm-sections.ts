// Where the debug info lives in a module: custom sections by name and the Code section's contents
// (DWARF addresses count from there), taken from the project's decoder (server/src/wasm/).
import { decodeModule, type WasmModule } from '../wasm/decode.js';

export interface SectionSpan {
    /** Offset of the section's payload in the module (for custom sections: after the name). */
    start: number;
    end: number;
}

export interface SectionIndex {
    /** Payloads of custom sections by name; the first one wins on duplicates. */
    custom: Map<string, SectionSpan>;
    /** The Code section's contents. */
    code?: SectionSpan;
}

function lebLength(n: number): number {
    let len = 1;
    while (n >= 0x80) { n = Math.floor(n / 128); len++; }
    return len;
}

/** Decodes `input` when given bytes (throws the decoder's error on a malformed module). */
export function indexSections(input: Uint8Array | WasmModule): SectionIndex {
    const m = input instanceof Uint8Array ? decodeModule(input) : input;
    const custom = new Map<string, SectionSpan>();
    let code: SectionSpan | undefined;
    for (const s of m.sections) {
        if (s.id === 10) code = { start: s.contentStart, end: s.end };
        else if (s.id === 0 && s.name !== undefined && !custom.has(s.name)) {
            const nameBytes = Buffer.byteLength(s.name, 'utf8');
            custom.set(s.name, { start: s.contentStart + lebLength(nameBytes) + nameBytes, end: s.end });
        }
    }
    return { custom, code };
}
