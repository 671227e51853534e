// Imports flow one way, from the bottom layer up:
//   wasm (+ protocol.ts, shared request/result types)
//   -> catalog, mapping
//   -> frontend (with language/: the grammar's parser, the checker's Langium wiring, completion and hover)
//   -> runtime (the map/string runtime and core library instrumented apps link to)
//   -> engine (uses the runtime's layouts)
//   -> runner (runs an instrumented app with the runtime)
//   -> wast, coverage, preview, gallery (tools built on the engine and the runner)
//   -> cli, server.ts, language/lsp/preview.ts and sites.ts (the entry points and their requests)
// This test reads every import of server/src and checks that no file imports a layer above its own, that
// there is no import cycle anywhere, and that no file is over ~600 lines (generated code and the opcode
// table aside).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../support/shared.js';

const SRC = path.join(PROJECT_ROOT, 'server', 'src');

function sources(dir: string): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) { if (e.name !== 'generated') out.push(...sources(p)); }
        else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
    return out;
}

/** Relative imports and re-exports of a file (dynamic imports included), as paths relative to server/src. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|\bimport\('(\.[^']+)'\)/gm)) {
        out.push(path.relative(SRC, path.join(path.dirname(file), (m[1] ?? m[2]).replace(/\.js$/, '.ts'))));
    }
    return out;
}

const files = sources(SRC).map(f => path.relative(SRC, f));
const graph = new Map(files.map(f => [f, importsOf(path.join(SRC, f))]));
const posix = (f: string) => f.split(path.sep).join('/');

const LAYERS: [string, RegExp][] = [
    ['wasm', /^(wasm\/|protocol\.ts$|polyfill\.ts$)/],
    ['catalog, mapping', /^(catalog|mapping)\//],
    ['frontend', /^(frontend|language)\//],
    ['runtime', /^runtime\//],
    ['engine', /^engine\//],
    ['runner', /^runner\//],
    ['tools', /^(wast|coverage|preview|gallery)\//],
    ['entry points', /^(cli\/|server\.ts$|language\/lsp\/(preview|sites)\.ts$)/],
];

/** A file's layer: the last (highest) pattern it matches, so the entry-point files inside language/ rank on top. */
function rankOf(file: string): number {
    const f = posix(file);
    let rank = -1;
    LAYERS.forEach(([, re], i) => { if (re.test(f)) rank = i; });
    return rank;
}

test('every file of server/src belongs to a layer', () => {
    assert.deepEqual(files.filter(f => rankOf(f) < 0), []);
});

test('no file imports a layer above its own', () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) {
        for (const t of targets) {
            if (rankOf(t) > rankOf(file)) bad.push(`${posix(file)} (${LAYERS[rankOf(file)][0]}) -> ${posix(t)} (${LAYERS[rankOf(t)][0]})`);
        }
    }
    assert.deepEqual(bad, []);
});

test('no import cycle among the files of server/src', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
        state.set(f, 'open');
        stack.push(f);
        for (const t of graph.get(f) ?? []) {
            if (!graph.has(t)) continue;
            if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map(posix).join(' -> '));
            else if (!state.has(t)) visit(t);
        }
        stack.pop();
        state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
});

/** Data tables allowed to be long: one row per instruction reads best in one file. */
const LONG_TABLES = new Set(['wasm/opcodes.ts']);

test('no file is over ~600 lines (generated code and the opcode table aside)', () => {
    const long = files
        .filter(f => !LONG_TABLES.has(posix(f)) && !f.endsWith('.generated.ts'))
        .map(f => [posix(f), fs.readFileSync(path.join(SRC, f), 'utf8').split('\n').length] as const)
        .filter(([, n]) => n > 620)
        .map(([f, n]) => `${f}: ${n} lines`);
    assert.deepEqual(long, []);
});

test('the engine imports nothing of the language layer (syntax tree, parser, rule parser)', () => {
    const bad = [...graph].filter(([f]) => posix(f).startsWith('engine/'))
        .flatMap(([f, targets]) => targets.filter(t => posix(t).startsWith('language/')).map(t => `${posix(f)} -> ${posix(t)}`));
    assert.deepEqual(bad, []);
});

test('the layer check sees the imports', () => {
    assert.ok(graph.get(path.join('engine', 'instrument.ts'))?.some(t => t.startsWith('frontend')), 'the engine imports the front-end');
    assert.ok(graph.get(path.join('runtime', 'runtime.ts'))?.some(t => posix(t) === 'runtime/map-module.ts'), 'the runtime imports itself');
    assert.ok(rankOf('cli/main.ts') > rankOf('runner/run.ts') && rankOf('runner/run.ts') > rankOf('engine/instrument.ts'));
    assert.ok(rankOf('engine/instrument.ts') > rankOf('runtime/runtime.ts') && rankOf('runtime/runtime.ts') > rankOf('frontend/checker.ts'));
    assert.ok(rankOf('frontend/checker.ts') > rankOf('catalog/index.ts') && rankOf('catalog/index.ts') > rankOf('wasm/opcodes.ts'));
    assert.ok(rankOf('language/lsp/preview.ts') > rankOf('language/parse.ts'));
});
