// Bundles the three executables (extension client, language server, CLI) with esbuild.
// Langium is ESM-only; VS Code loads extensions as CommonJS, so everything is emitted as .cjs bundles.
import * as esbuild from 'esbuild';
import { buildDemo } from './build-demo.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    // import.meta.url is used by a few ESM dependencies; map it to the CJS equivalent.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const entries = [
    { entryPoints: ['client/src/extension.ts'], outfile: 'out/extension.cjs', external: ['vscode'] },
    { entryPoints: ['server/src/server.ts'], outfile: 'out/server.cjs',
      banner: { js: "#!/usr/bin/env node\n" + common.banner.js } },
    { entryPoints: ['server/src/cli/main.ts'], outfile: 'out/cli.cjs',
      banner: { js: "#!/usr/bin/env node\n" + common.banner.js } },
];

// The Report view's page runs in the webview (a browser): its own bundle, echarts included.
const webview = { entryPoints: ['client/webview/report.ts'], outfile: 'out/webview/report.js', bundle: true, platform: 'browser',
    format: 'iife', target: 'es2022', sourcemap: !production, minify: true, logLevel: 'warning' };

const contexts = await Promise.all([...entries.map(e => esbuild.context({ ...common, ...e })), esbuild.context(webview)]);
if (watch) {
    await Promise.all(contexts.map(c => c.watch()));
} else {
    await Promise.all(contexts.map(c => c.rebuild()));
    await Promise.all(contexts.map(c => c.dispose()));
}
// The sample app `whamm demo` runs (out/demo/demo.wasm + source map).
buildDemo();
