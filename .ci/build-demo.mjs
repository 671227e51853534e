// Builds the sample app of `whamm demo` (demo/app/index.ts, AssemblyScript) into out/demo/demo.wasm with a
// source map (out/demo/demo.wasm.map, sources relative to it: ../../demo/app/index.ts). The compiler is
// the `assemblyscript` dev dependency, so every build from a clone has it; the result ships in the .vsix
// and the npm package. Rebuilt only when the source or the compiler changed (a stamp holds their hash).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = ['--debug', '--sourceMap', '--runtime', 'stub', '--noColors'];

/** Returns the path of the built module (or the existing one when it is up to date). */
export function buildDemo(root = ROOT) {
    const src = path.join(root, 'demo', 'app', 'index.ts');
    const outDir = path.join(root, 'out', 'demo');
    const wasm = path.join(outDir, 'demo.wasm');
    const asc = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    const ascPkg = path.join(root, 'node_modules', 'assemblyscript', 'package.json');
    if (!fs.existsSync(asc)) {
        if (fs.existsSync(wasm)) return wasm;
        throw new Error(`the demo app needs the AssemblyScript compiler (${asc}); run npm ci`);
    }
    const key = crypto.createHash('sha256').update(FLAGS.join(' ')).update(fs.readFileSync(src)).update(fs.readFileSync(ascPkg)).digest('hex');
    const stamp = path.join(outDir, '.stamp');
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && fs.existsSync(wasm) && fs.existsSync(`${wasm}.map`)) return wasm;
    fs.mkdirSync(outDir, { recursive: true });
    // A sibling folder at the same depth, so the map's relative source path stays right after the move.
    const tmp = fs.mkdtempSync(path.join(path.dirname(outDir), '.tmp-demo-'));
    try {
        const r = spawnSync(process.execPath, [asc, path.relative(tmp, src), '-o', 'demo.wasm', ...FLAGS], { cwd: tmp, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`asc failed on ${src}:\n${r.stderr}`);
        // The map without the sources' text (the library's sources make it ~200 KB; ours ships beside it).
        const map = JSON.parse(fs.readFileSync(path.join(tmp, 'demo.wasm.map'), 'utf8'));
        delete map.sourcesContent;
        fs.writeFileSync(path.join(tmp, 'demo.wasm.map'), JSON.stringify(map));
        for (const f of ['demo.wasm', 'demo.wasm.map']) fs.renameSync(path.join(tmp, f), path.join(outDir, f));
        fs.writeFileSync(stamp, key);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    return wasm;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    console.log(path.relative(process.cwd(), buildDemo()));
}
