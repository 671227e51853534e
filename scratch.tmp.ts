import fs from 'node:fs';
import binaryen from 'binaryen';
import { decodeModule, typeBody, ModuleRewriter, CodeBuilder, cursorOf, bodyLocals } from './server/src/wasm/index.js';
import { listFiles } from './test/support/shared.js';
const files = [...listFiles('/work/shared/bench/apps', '.wasm'), ...listFiles('/work/shared/conformance', '.wasm')];
for (const f of files) {
  const bytes = new Uint8Array(fs.readFileSync(f));
  try {
    const m = decodeModule(bytes);
    const out = new ModuleRewriter(m).emit();
    if (Buffer.compare(Buffer.from(out), Buffer.from(bytes)) !== 0) console.log('ROUNDTRIP DIFF', f);
    let t0 = performance.now();
    for (const b of m.bodies) typeBody(m, b.func);
    const ttype = performance.now() - t0;
    // rewrite: add import, nop before each instr + a global increment
    t0 = performance.now();
    const rw = new ModuleRewriter(m);
    const ty = rw.addFuncType(['i32'], []);
    const imp = rw.addFuncImport('whamm', 'probe', ty, 'probe');
    const g = rw.addZeroGlobal('i32');
    for (const b of m.bodies) {
      const c = cursorOf(m, b.func);
      const cb = new CodeBuilder();
      while (c.next()) {
        cb.emit('global.get', g).emit('i32.const', 1).emit('i32.add').emit('global.set', g).emit('nop');
        cb.copy(c.offset, c.end);
      }
      rw.editBody(b.func, { code: cb });
    }
    const out2 = rw.emit();
    const trw = performance.now() - t0;
    const ok = WebAssembly.validate(out2);
    let bok: any = '-';
    if (bytes.length < 2_000_000) { const mod = binaryen.readBinary(out2); mod.setFeatures(binaryen.Features.All); bok = mod.validate(); mod.dispose(); }
    if (!ok || !bok || bytes.length > 1e6) console.log(f.split('/').pop(), 'type', ttype.toFixed(0), 'rw', trw.toFixed(0), 'validate', ok, bok);
  } catch (e) { console.log('FAIL', f, (e as Error).stack); }
}
