// The extension grants the app its settings (whamm.env, whamm.dirs) as CLI flags, never as the CLI
// process's own environment: NODE_OPTIONS in whamm.env reaches the app, not the Node running whamm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { grantArgs, runCli, withGrants } from '../../client/src/cliProcess.js';
import { wat } from '../support/wat.js';
import { PROJECT_ROOT } from '../support/shared.js';

test('grant flags go before the app\'s own arguments', () => {
    assert.deepEqual(grantArgs({ A: '1' }, [{ host: '/h', guest: '/g' }, { host: '/r', readOnly: true }]),
        ['--env', 'A=1', '--dir', '/h::/g', '--dir-ro', '/r']);
    assert.deepEqual(withGrants(['run', 'x.wasm', '--', '--env', 'B=2'], { A: '1' }),
        ['run', 'x.wasm', '--env', 'A=1', '--', '--env', 'B=2']);
    assert.deepEqual(withGrants(['run', 'x.wasm'], {}, []), ['run', 'x.wasm']);
});

test('NODE_OPTIONS in the app\'s environment is the app\'s, and runs nothing in the CLI', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-client-grants-'));
    const marker = path.join(dir, 'ran-in-cli');
    const evil = path.join(dir, 'evil.cjs');
    fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n`);
    const app = path.join(dir, 'probe.wasm');
    fs.writeFileSync(app, await wat(fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/sandbox/probe.wat'), 'utf8')));
    // The CLI from source, through a wrapper standing in for a configured whamm executable.
    const tsx = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const wrapper = path.join(dir, 'whamm');
    fs.writeFileSync(wrapper, `#!/bin/sh\nWHAMM_CLI_MAIN=1 exec ${JSON.stringify(process.execPath)} --import ${tsx} ${JSON.stringify(path.join(PROJECT_ROOT, 'server/src/cli/main.ts'))} "$@"\n`, { mode: 0o755 });
    const env = { NODE_OPTIONS: `--require ${evil}` };
    let out = '';
    const r = await runCli({ cliModule: '', executable: wrapper, cwd: dir, args: withGrants(['run', app, '--', 'e'], env) },
        { stdout: s => { out += s; }, stderr: s => { out += s; } });
    assert.equal(r.exitCode, 1, out);
    assert.equal(r.stdout, `NODE_OPTIONS=--require ${evil}\0`);
    assert.equal(fs.existsSync(marker), false, 'nothing ran in the CLI');
});
