// Locates ../shared (SPEC, conformance corpus, bench apps). Tests that need it skip with a clear
// message where it is absent instead of failing: the corpus is not part of this repository.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROJECT_ROOT = root;
export const SHARED = process.env.WHAMM_SHARED ?? path.resolve(root, '..', 'shared');
export const HAVE_SHARED = fs.existsSync(path.join(SHARED, 'whamm', 'SPEC.md'));
export const SKIP_NO_SHARED = HAVE_SHARED ? false : `../shared not found at ${SHARED} (set WHAMM_SHARED); skipping corpus test`;

export function sharedPath(...parts: string[]): string {
    return path.join(SHARED, ...parts);
}

/** Every file under `dir` (recursively) whose name ends with `ext`, sorted. */
export function listFiles(dir: string, ext: string): string[] {
    if (!fs.existsSync(dir)) return [];
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) out.push(...listFiles(p, ext));
        else if (e.name.endsWith(ext)) out.push(p);
    }
    return out.sort();
}
