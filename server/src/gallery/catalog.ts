// The gallery: ready-made monitors shipped in the package's `monitors/` folder (beside `out/` in the
// .vsix and the npm package), each a documented `.mm` whose header says what it measures and how to
// read its report. The same folder serves `whamm new`, `whamm demo` and the editor's template picker.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Template {
    /** File name without `.mm`: what `whamm new NAME` takes. */
    name: string;
    title: string;
    summary: string;
    file: string;
}

/**
 * The package's root: the nearest folder above this module holding `monitors/` and `package.json`.
 * From the bundles that is `out/..`; from the sources (tests, tsx) `server/src/gallery/../../..`.
 */
export function packageRoot(from: string = moduleDir()): string | undefined {
    let dir = from;
    for (let i = 0; i < 8; i++) {
        if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'monitors'))) return dir;
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
    }
    return undefined;
}

function moduleDir(): string {
    return path.dirname(fileURLToPath(import.meta.url));
}

export function galleryDir(root = packageRoot()): string | undefined {
    return root ? path.join(root, 'monitors') : undefined;
}

/** Reads the `// title:` and `// summary:` lines of a monitor's header comment. */
export function parseHeader(text: string): { title?: string; summary?: string } {
    const out: { title?: string; summary?: string } = {};
    for (const line of text.split('\n')) {
        if (!line.startsWith('//')) break;
        const m = /^\/\/\s*(title|summary):\s*(.+?)\s*$/.exec(line);
        if (m) out[m[1] as 'title' | 'summary'] = m[2];
    }
    return out;
}

/** Every template of the gallery, sorted by name; empty when the folder is missing. */
export function listTemplates(dir = galleryDir()): Template[] {
    if (!dir || !fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).filter(f => f.endsWith('.mm')).sort().map(f => {
        const file = path.join(dir, f);
        const h = parseHeader(fs.readFileSync(file, 'utf8'));
        const name = f.slice(0, -3);
        return { name, title: h.title ?? name, summary: h.summary ?? '', file };
    });
}

export function findTemplate(name: string, dir = galleryDir()): Template | undefined {
    const key = name.replace(/\.mm$/, '');
    return listTemplates(dir).find(t => t.name === key);
}
