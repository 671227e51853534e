// The preview text as line edits of the previous answer's text: most of a 1 MB preview (the app's WAT,
// folded functions, injected code of probes an edit did not touch) is the same from one keystroke to the
// next, so the answer carries only the lines that changed. A linear scan that resynchronises within a
// window: the edits it produces turn the old text into the new one exactly (the client applies them,
// client/src/preview/model.ts applyLineEdits).
import type { PreviewLineEdit } from '../protocol.js';

/** How far ahead a changed line is matched again before the rest is replaced as one edit. */
const WINDOW = 64;

/** Edits (ascending, non-overlapping, positions in `a`) that turn lines `a` into lines `b`. */
export function lineEdits(a: readonly string[], b: readonly string[]): PreviewLineEdit[] {
    const edits: PreviewLineEdit[] = [];
    const push = (start: number, deleteCount: number, lines: string[]) => {
        const last = edits[edits.length - 1];
        if (last && last.start + last.deleteCount === start) { last.deleteCount += deleteCount; for (const l of lines) last.lines.push(l); return; }
        edits.push({ start, deleteCount, lines });
    };
    let i = 0, j = 0;
    const n = a.length, m = b.length;
    while (i < n && j < m) {
        if (a[i] === b[j]) { i++; j++; continue; }
        let moved = false;
        for (let k = 1; k <= WINDOW && !moved; k++) {
            if (i + k < n && j + k < m && a[i + k] === b[j + k]) { push(i, k, b.slice(j, j + k)); i += k; j += k; moved = true; }
            else if (i + k < n && a[i + k] === b[j]) { push(i, k, []); i += k; moved = true; }
            else if (j + k < m && b[j + k] === a[i]) { push(i, 0, b.slice(j, j + k)); j += k; moved = true; }
        }
        if (!moved) { push(i, n - i, b.slice(j)); i = n; j = m; }
    }
    if (i < n || j < m) push(i, n - i, b.slice(j));
    return edits;
}
