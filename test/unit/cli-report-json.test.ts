// `whamm run --report-json` and `whamm coverage --report-json`: the outcome as JSON for the editor. The
// trap of the trapping C sample is located at the line its source marks TRAP (through DWARF of the
// original app, although the module that ran is the instrumented one); the report comes as values, maps
// entry by entry; an app without debug info says so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunResultJson } from '../../server/src/protocol.js';
import { whamm } from '../support/cli.js';
import { buildCNoDebugSample, buildCTrapSample, C_TRAP_SOURCE, markerLine, SKIP_NO_CLANG } from '../support/samples.js';

const SCRIPT = `report var loads: u32;
report var perFn: map<u32, u32>;
wasm:opcode:i32.load:before { loads++; perFn[fid]++; }
`;

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-report-json-'));
}

describe('--report-json', { skip: SKIP_NO_CLANG }, () => {
    it('run: a trap names the message, the app function and the source line marked TRAP', () => {
        const app = buildCTrapSample();
        const dir = tmp();
        fs.writeFileSync(path.join(dir, 's.mm'), SCRIPT);
        const instr = whamm(['instr', '--app', app, '--script', 's.mm', '-o', 'out.wasm'], dir);
        assert.equal(instr.code, 0, instr.err);
        const r = whamm(['run', 'out.wasm', '--report-json', 'r.json'], dir);
        assert.equal(r.code, 1);
        const j = JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')) as RunResultJson;
        assert.equal(j.exitCode, 1);
        assert.equal(j.app, app, 'the app is found through the site table');
        assert.equal(j.trap?.message, 'memory access out of bounds');
        assert.equal(j.trap?.funcName, 'read_at');
        assert.equal(j.trap?.inProbe, undefined);
        assert.equal(j.trap?.location?.file, C_TRAP_SOURCE);
        assert.equal(j.trap?.location?.line, markerLine(C_TRAP_SOURCE, 'TRAP'));
        // The report as values: the global, and the map entry by entry, agreeing with the printed flush.
        const loads = j.report?.find(v => v.name === 'loads');
        assert.equal(loads?.kind, 'global');
        assert.match(r.out, new RegExp(`loads, u32, i32, script0, , , , , ${loads?.value}\\n`));
        const perFn = j.report?.find(v => v.name === 'perFn');
        assert.equal(perFn?.kind, 'map');
        assert.ok(perFn?.entries && perFn.entries.length > 1, JSON.stringify(perFn));
        const total = perFn!.entries!.reduce((n, e) => n + Number(e.value), 0);
        assert.equal(String(total), loads?.value, 'every load counted once in the map');
        const printed = /perFn, map<u32, u32>.*, (.*)\n/.exec(r.out)?.[1] ?? /perFn, map<u32,u32>.*, (.*)\n/.exec(r.out)?.[1];
        assert.equal(printed, perFn!.entries!.map(e => `${e.key}->${e.value}`).join(';'));
    });

    it('run without a trap: no trap, exit code 0', () => {
        const app = buildCNoDebugSample();
        const dir = tmp();
        fs.writeFileSync(path.join(dir, 's.mm'), SCRIPT);
        assert.equal(whamm(['instr', '--app', app, '--script', 's.mm', '-o', 'out.wasm'], dir).code, 0);
        const r = whamm(['run', 'out.wasm', '--report-json', 'r.json'], dir);
        assert.equal(r.code, 0, r.err);
        const j = JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')) as RunResultJson;
        assert.equal(j.exitCode, 0);
        assert.equal(j.trap, undefined);
    });

    it('coverage: the trap located the same way; an app without -g reports debugInfo none', () => {
        const dir = tmp();
        const trap = whamm(['coverage', '--app', buildCTrapSample(), '--report-json', 'r.json', '--hot', '0'], dir);
        assert.equal(trap.code, 1);
        const j = JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')) as RunResultJson;
        assert.equal(j.command, 'coverage');
        assert.equal(j.debugInfo, 'dwarf');
        assert.equal(j.trap?.location?.line, markerLine(C_TRAP_SOURCE, 'TRAP'));
        const plain = whamm(['coverage', '--app', buildCNoDebugSample(), '--report-json', 'n.json', '--hot', '0'], dir);
        assert.equal(plain.code, 0, plain.err);
        const n = JSON.parse(fs.readFileSync(path.join(dir, 'n.json'), 'utf8')) as RunResultJson;
        assert.equal(n.debugInfo, 'none');
        assert.equal(n.report, undefined, 'no script, no report');
    });
});
