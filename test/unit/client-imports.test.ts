// The extension is UI only: from the server side it imports the protocol module and, as types, the
// coverage report's shapes; never the engine, the runner or their functions (it talks to the CLI in JSON).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../support/shared.js';

const CLIENT = path.join(PROJECT_ROOT, 'client');
const ALLOWED = new Set(['server/src/protocol.ts', 'server/src/coverage/model.ts', 'server/src/coverage/json.ts']);

function files(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

test('client sources import from the server only the protocol and report types', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const f of files(CLIENT)) {
        const text = fs.readFileSync(f, 'utf8');
        for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
            const spec = m[3];
            if (!spec.startsWith('.')) continue;
            const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(f), spec)).replace(/\.js$/, '.ts').split(path.sep).join('/');
            if (!target.startsWith('server/')) continue;
            seen++;
            const typeOnly = !!m[2];
            if (!ALLOWED.has(target) || (target !== 'server/src/protocol.ts' && !typeOnly)) bad.push(`${path.relative(PROJECT_ROOT, f)} imports ${target}${typeOnly ? ' (types)' : ''}`);
        }
    }
    assert.ok(seen > 0, 'the client does import the protocol');
    assert.deepEqual(bad, []);
});
