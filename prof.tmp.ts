import fs from 'node:fs';
import { CodeBuilder, ModuleRewriter, cursorOf, decodeModule, typeBody } from './server/src/wasm/index.js';
const bytes = new Uint8Array(fs.readFileSync('/work/shared/bench/apps/real/parquet.wasm'));
const mode = process.argv[2];
for (let k = 0; k < 3; k++) {
const t0 = performance.now();
const mm = decodeModule(bytes);
if (mode === 'type') { for (const b of mm.bodies) typeBody(mm, b.func); }
else {
const rw = new ModuleRewriter(mm);
if (mode === 'imp') rw.addFuncImport('whamm', 'probe', rw.addFuncType(['i32'], []));
const g = rw.addZeroGlobal('i32');
for (const b of mm.bodies) {
  const c = cursorOf(mm, b.func); const cb = new CodeBuilder(); const w = cb.out;
  while (c.next()) { w.byte(0x23).u32(g).byte(0x41).byte(1).byte(0x6a).byte(0x24).u32(g).byte(0x01); cb.copy(c.offset, c.end); }
  rw.editBody(b.func, { code: cb });
}
rw.emit();
}
console.log(mode, (performance.now() - t0).toFixed(0));
}
