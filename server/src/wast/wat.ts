// `(module ...)` forms of .wast scripts to binaries: `(module binary ...)` and `(module quote ...)` are
// script-level forms that wabt's module parser does not take, so they are unfolded here; the text itself
// is assembled by ../wasm/wat-assemble.ts.
import { head, type SList } from './sexpr.js';
import { WatError, watToWasm } from '../wasm/wat-assemble.js';

/** The bytes of a `(module ...)` form of a .wast file, whichever of its three shapes it has. */
export async function moduleFormToWasm(form: SList, source: string): Promise<Uint8Array> {
    if (head(form) !== 'module') throw new WatError('not a (module ...) form');
    let i = 1;
    if (form.items[i]?.kind === 'atom' && (form.items[i] as { text: string }).text.startsWith('$')) i++;
    const kind = form.items[i]?.kind === 'atom' ? (form.items[i] as { text: string }).text : undefined;
    if (kind === 'binary' || kind === 'quote') {
        const parts: Uint8Array[] = [];
        for (const s of form.items.slice(i + 1)) {
            if (s.kind !== 'string') throw new WatError(`(module ${kind} ...) takes only strings`);
            parts.push(s.bytes);
        }
        const bytes = concat(parts);
        if (kind === 'binary') return bytes;
        return watToWasm(`(module ${new TextDecoder().decode(bytes)})`);
    }
    return watToWasm(source.slice(form.start, form.end));
}

function concat(parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
}
