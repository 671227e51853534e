// Bundles the in-editor test suite (test/e2e/suite/*.ts) to out/test/e2e/suite/*.cjs. `vscode` is provided
// by the extension host; mocha is resolved from the project's node_modules at run time.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = 'test/e2e/suite';
const entryPoints = fs.readdirSync(dir).filter(f => f === 'index.ts' || f.endsWith('.test.ts')).map(f => path.join(dir, f));
fs.rmSync('out/test/e2e/suite', { recursive: true, force: true });
await esbuild.build({
    entryPoints,
    outdir: 'out/test/e2e/suite',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
});
