import fs from 'node:fs';
import binaryen from 'binaryen';
for (const f of ['funky-kart', 'parquet', 'figma-startpage']) {
const bytes = new Uint8Array(fs.readFileSync(`/work/shared/bench/apps/real/${f}.wasm`));
for (let i = 0; i < 2; i++) {
const t0 = performance.now();
const m = binaryen.readBinary(bytes); m.setFeatures(binaryen.Features.All);
const out = m.emitBinary();
console.log(f, 'binaryen read+emit', (performance.now() - t0).toFixed(0), 'ms', out.length);
m.dispose();
}}
