// After `npm ci` in a clone (the `prepare` step), links this package's own bins into node_modules/.bin,
// so `npx whamm demo` runs this checkout's CLI: npm links the bins of dependencies there, never the root
// package's, and npx would otherwise look for a registry package of that name. An existing entry that
// is not our link is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function linkBins(root) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const binDir = path.join(root, 'node_modules', '.bin');
    if (!fs.existsSync(path.join(root, 'node_modules'))) return [];
    fs.mkdirSync(binDir, { recursive: true });
    const done = [];
    for (const [name, rel] of Object.entries(pkg.bin ?? {})) {
        const link = path.join(binDir, name);
        const target = path.relative(binDir, path.join(root, rel));
        let existing;
        try { existing = fs.readlinkSync(link); } catch (e) { if (e.code !== 'ENOENT') continue; }
        if (existing === target) continue;
        if (existing !== undefined || fs.existsSync(link)) continue;
        fs.symlinkSync(target, link);
        done.push(name);
    }
    for (const rel of Object.values(pkg.bin ?? {})) {
        const file = path.join(root, rel);
        if (fs.existsSync(file)) fs.chmodSync(file, 0o755);
    }
    return done;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    linkBins(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
}
