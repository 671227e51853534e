// `whamm instr --dry-run [--json]`: the plan printed, nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wat } from '../support/wat.js';
import { whamm } from '../support/cli.js';
import type { DryRunPlan } from '../../server/src/protocol.js';

test('instr --dry-run --json prints the plan and writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-dry-'));
    fs.writeFileSync(path.join(dir, 'app.wasm'), await wat(`(module
      (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "_start") i32.const 4 call $f drop))`));
    fs.writeFileSync(path.join(dir, 's.mm'), 'var n: u32;\nwasm:opcode:call:before { n = n + 3; }\nwasm:opcode:f64.add:before { n = n + 1; }\n');
    const r = whamm(['instr', '--dry-run', '--json', '--app', 'app.wasm', '--script', 's.mm'], dir);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as DryRunPlan;
    assert.deepEqual(plan.sites.map(s => [s.fname, s.instr, s.probe]), [['func 1', 'call $f', 0]]);
    assert.equal(plan.injections.length, 1);
    assert.equal(plan.injections[0].where, 'before');
    assert.ok(plan.injections[0].code.some(l => l.trim() === 'i32.const 3'), plan.injections[0].code.join('\n'));
    assert.match(plan.probes[1].noMatch ?? '', /the app has no `f64.add` instruction/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['app.wasm', 's.mm']);
    // Without --json: one line per probe and injection.
    const t = whamm(['instr', '--dry-run', '--app', 'app.wasm', '--script', 's.mm'], dir);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^probe 0 wasm:opcode:call:before: 1 sites, 1 injections$/m);
    assert.match(t.out, /^before fid 1 pc \d+ opidx 1 probe 0: .*i32\.const 3/m);
    // --json alone is a usage error; script errors are printed as instr prints them.
    assert.equal(whamm(['instr', '--json', '--app', 'app.wasm', '--script', 's.mm'], dir).code, 2);
    fs.writeFileSync(path.join(dir, 'bad.mm'), 'wasm:opcode:call:before { nope++; }\n');
    const bad = whamm(['instr', '--dry-run', '--app', 'app.wasm', '--script', 'bad.mm'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /bad\.mm:1:\d+: error: /);
});
