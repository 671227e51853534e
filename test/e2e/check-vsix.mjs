// Checks what a .vsix holds: the runtime files must be there; sources, tests, fixtures, maps and
// node_modules must not. Prints the listing with sizes.
import fs from 'node:fs';
import yauzl from 'yauzl';

// The monitor gallery and the sample app of `whamm demo` (its module, source map and source) ship too.
const gallery = fs.readdirSync(new URL('../../monitors/', import.meta.url)).filter(f => f.endsWith('.mm')).map(f => `monitors/${f}`);
const shipped = [...gallery, 'out/demo/demo.wasm', 'out/demo/demo.wasm.map', 'demo/app/index.ts'];

const file = process.argv[2] ?? 'out/whamm.vsix';
const entries = await new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
        if (err) return reject(err);
        const out = [];
        zip.on('entry', e => { out.push({ name: e.fileName, size: e.uncompressedSize }); zip.readEntry(); });
        zip.on('end', () => resolve(out));
        zip.on('error', reject);
        zip.readEntry();
    });
});
// vsce stores README.md as readme.md; compare case-insensitively for the top-level docs.
const names = entries.map(e => e.name.replace(/^extension\//, '').replace(/^readme\.md$/i, 'README.md'));
const required = ['package.json', 'out/extension.cjs', 'out/server.cjs', 'out/cli.cjs',
    'client/language-configuration.json', 'syntaxes/whamm.tmLanguage.json', 'README.md', ...shipped];
const forbidden = [/^node_modules\//, /^test\//, /^test-artifacts\//, /\.ts$/, /\.map$/, /^server\//, /^client\/src\//,
    /^\.cache\//, /^\.ci\//, /\.mm$/, /\.wasm$/, /\.wat$/, /^out\/test\//, /\.vsix$/];
const problems = [
    ...required.filter(r => !names.includes(r)).map(r => `missing: ${r}`),
    ...names.filter(n => !shipped.includes(n) && forbidden.some(f => f.test(n))).map(n => `must not be packaged: ${n}`),
];
for (const e of entries) console.log(`${String(e.size).padStart(10)}  ${e.name}`);
console.log(`${entries.length} entries, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB packed`);
if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
}
