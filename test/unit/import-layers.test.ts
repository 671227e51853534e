// Imports flow one way: wasm -> catalog -> frontend (with the grammar's parser) -> engine -> runner ->
// cli/server. This test reads every import of server/src and checks the catalog, the front-end and the
// engine: no import cycle among their files, and no import of a layer above them.
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

/** Relative imports and re-exports of a file, as paths relative to server/src. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
        out.push(path.relative(SRC, path.join(path.dirname(file), m[1].replace(/\.js$/, '.ts'))));
    }
    return out;
}

const graph = new Map(sources(SRC).map(f => [path.relative(SRC, f), importsOf(f)]));
const layerOf = (f: string) => f.split(path.sep)[0];

/** What each checked layer may import besides itself. `language/...` is the grammar's parser and AST. */
const ALLOWED: Record<string, (target: string) => boolean> = {
    catalog: t => layerOf(t) === 'wasm',
    frontend: t => ['wasm', 'catalog'].includes(layerOf(t)) || /^language\/(generated\/|parse\.ts|rule-parser\.ts|whamm-validator\.ts)/.test(t),
    // The engine compiles the front-end's typed IR (frontend/ir.ts): no parser, syntax tree or rule parser.
    engine: t => ['wasm', 'catalog', 'frontend', 'runtime'].includes(layerOf(t)),
};

test('the catalog, the front-end and the engine import no layer above them', () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) {
        const allowed = ALLOWED[layerOf(file)];
        if (!allowed) continue;
        for (const t of targets) if (layerOf(t) !== layerOf(file) && !allowed(t)) bad.push(`${file} -> ${t}`);
    }
    assert.deepEqual(bad, []);
});

test('no import cycle among the files of the catalog, the front-end and the engine', () => {
    const checked = [...graph.keys()].filter(f => ALLOWED[layerOf(f)]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
        state.set(f, 'open');
        stack.push(f);
        for (const t of graph.get(f) ?? []) {
            if (!ALLOWED[layerOf(t)] || !graph.has(t)) continue;
            if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
            else if (!state.has(t)) visit(t);
        }
        stack.pop();
        state.set(f, 'done');
    };
    for (const f of checked) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
});

test('the engine imports nothing of the language layer (syntax tree, parser, rule parser)', () => {
    const bad = [...graph].filter(([f]) => layerOf(f) === 'engine')
        .flatMap(([f, targets]) => targets.filter(t => layerOf(t) === 'language').map(t => `${f} -> ${t}`));
    assert.deepEqual(bad, []);
});

test('the layer check sees the imports', () => {
    assert.ok(graph.get(path.join('engine', 'instrument.ts'))?.some(t => t.startsWith('frontend')), 'the engine imports the front-end');
});
