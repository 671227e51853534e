// Source-map mapping: hand-made modules and maps (every way of finding the map, source resolution,
// gaps), and the AssemblyScript sample checked against its marker comments, llvm-objdump's function
// starts and the debug locations Binaryen prints in the text format.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { loadSourceMapper } from '../../server/src/mapping/index.js';
import {
    AS_SOURCE, buildAsSample, encodeMappings, funcLine, handModule, objdumpFunctionStarts, readMarkers,
    SKIP_NO_OBJDUMP, urlPayload,
} from '../support/samples.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-sourcemap-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh project folder: src/a.ts and src/b.ts exist, build/ holds the app. */
function project(): { root: string; build: string; a: string; b: string } {
    const root = path.join(tmpRoot, `p${dirCount++}`);
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    const a = path.join(root, 'src', 'a.ts'), b = path.join(root, 'src', 'b.ts');
    fs.writeFileSync(a, '// a\n');
    fs.writeFileSync(b, '// b\n');
    return { root, build: path.join(root, 'build'), a, b };
}

/**
 * The map of a one-function module with 10 nops + end (instructions i0..i10):
 * i0-i2 -> source 0 line 5 col 3, i3-i4 -> source 0 line 10 col 1, i5-i6 -> nothing (one-field
 * segment), i7-i10 -> source 1 line 1 col 1.
 */
function mapJson(instr: number[], sources: string[], extra: Record<string, unknown> = {}): string {
    const mappings = encodeMappings([[instr[0], 0, 4, 2], [instr[3], 0, 9, 0], [instr[5]], [instr[7], 1, 0, 0]]);
    return JSON.stringify({ version: 3, sources, names: [], mappings, ...extra });
}

function writeApp(dir: string, customs: [string, number[]][] = []) {
    const m = handModule(10, customs);
    const wasm = path.join(dir, 'app.wasm');
    fs.writeFileSync(wasm, m.bytes);
    return { ...m, wasm };
}

describe('source maps (hand-made)', () => {
    test('a relative sourceMappingURL; sources relative to the map; gaps; unknown offsets', () => {
        const p = project();
        fs.mkdirSync(path.join(p.build, 'maps'));
        const app = writeApp(p.build, [['sourceMappingURL', urlPayload('maps/app.map')]]);
        fs.writeFileSync(path.join(p.build, 'maps', 'app.map'), mapJson(app.instrOffsets, ['../../src/a.ts', '../../src/b.ts']));
        const m = loadSourceMapper(app.bytes, app.wasm);
        assert.equal(m.kind, 'sourcemap');
        assert.equal(m.origin, path.join(p.build, 'maps', 'app.map'));
        assert.deepEqual(m.warnings, []);
        const i = app.instrOffsets;
        assert.deepEqual(m.lookup(i[0]), { file: p.a, source: '../../src/a.ts', line: 5, column: 3 });
        assert.deepEqual(m.lookup(i[2]), { file: p.a, source: '../../src/a.ts', line: 5, column: 3 });
        assert.deepEqual(m.lookup(i[3]), { file: p.a, source: '../../src/a.ts', line: 10, column: 1 });
        assert.deepEqual(m.lookup(i[4]), { file: p.a, source: '../../src/a.ts', line: 10, column: 1 });
        assert.equal(m.lookup(i[5]), undefined);
        assert.equal(m.lookup(i[6]), undefined);
        assert.deepEqual(m.lookup(i[7]), { file: p.b, source: '../../src/b.ts', line: 1, column: 1 });
        assert.deepEqual(m.lookup(i[10]), { file: p.b, source: '../../src/b.ts', line: 1, column: 1 });
        // Before the first mapping (the locals declaration) and outside the Code section.
        assert.equal(m.lookup(i[0] - 1), undefined);
        assert.equal(m.lookup(app.codeEnd), undefined);
        assert.equal(m.lookup(3), undefined);
        const lines = Object.fromEntries([...m.linesWithCode()].map(([f, s]) => [f, [...s].sort((x, y) => x - y)]));
        assert.deepEqual(lines, { [p.a]: [5, 10], [p.b]: [1] });
        assert.equal(m.sourceNames().get(p.a), '../../src/a.ts');
    });

    test('absolute path, file: URL and percent-encoded relative URL', () => {
        for (const kind of ['absolute', 'file-url', 'encoded'] as const) {
            const p = project();
            const mapDir = path.join(p.build, 'my maps');
            fs.mkdirSync(mapDir);
            const mapPath = path.join(mapDir, 'x.map');
            const url = kind === 'absolute' ? mapPath : kind === 'file-url' ? pathToFileURL(mapPath).href : 'my%20maps/x.map';
            const app = writeApp(p.build, [['sourceMappingURL', urlPayload(url)]]);
            fs.writeFileSync(mapPath, mapJson(app.instrOffsets, ['../../src/a.ts', '../../src/b.ts']));
            const m = loadSourceMapper(app.bytes, app.wasm);
            assert.equal(m.kind, 'sourcemap', kind);
            assert.equal(m.lookup(app.instrOffsets[3])?.file, p.a, kind);
            assert.equal(m.lookup(app.instrOffsets[3])?.line, 10, kind);
        }
    });

    test('data: URLs, base64 and percent-encoded; sources then resolve from the app directory', () => {
        const p = project();
        const probe = handModule(10);
        const json = mapJson(probe.instrOffsets, ['../src/a.ts', '../src/b.ts']);
        const urls = [
            `data:application/json;base64,${Buffer.from(json).toString('base64')}`,
            `data:application/json;charset=utf-8,${encodeURIComponent(json)}`,
        ];
        for (const url of urls) {
            const app = writeApp(p.build, [['sourceMappingURL', urlPayload(url)]]);
            const m = loadSourceMapper(app.bytes, app.wasm);
            assert.equal(m.kind, 'sourcemap');
            assert.equal(m.origin, 'data: URL');
            assert.deepEqual(m.lookup(app.instrOffsets[0]), { file: p.a, source: '../src/a.ts', line: 5, column: 3 });
        }
    });

    test('APP.wasm.map beside the app when there is no sourceMappingURL section', () => {
        const p = project();
        const app = writeApp(p.build);
        fs.writeFileSync(app.wasm + '.map', mapJson(app.instrOffsets, ['../src/a.ts', '../src/b.ts']));
        const m = loadSourceMapper(app.bytes, app.wasm);
        assert.equal(m.kind, 'sourcemap');
        assert.equal(m.origin, app.wasm + '.map');
        assert.equal(m.lookup(app.instrOffsets[8])?.file, p.b);
    });

    test('a remote URL is looked for beside the app, with a warning', () => {
        const p = project();
        const app = writeApp(p.build, [['sourceMappingURL', urlPayload('https://cdn.example/assets/app.wasm.map')]]);
        fs.writeFileSync(app.wasm + '.map', mapJson(app.instrOffsets, ['../src/a.ts', '../src/b.ts']));
        const m = loadSourceMapper(app.bytes, app.wasm);
        assert.equal(m.kind, 'sourcemap');
        assert.match(m.warnings.join('\n'), /remote/);
        assert.equal(m.lookup(app.instrOffsets[0])?.line, 5);
    });

    test('a missing or malformed map is reported, never thrown', () => {
        const p = project();
        const missing = writeApp(p.build, [['sourceMappingURL', urlPayload('nope.map')]]);
        const m1 = loadSourceMapper(missing.bytes, missing.wasm);
        assert.equal(m1.kind, 'none');
        assert.match(m1.warnings.join('\n'), /nope\.map .*not found/);

        const p2 = project();
        const bad = writeApp(p2.build, [['sourceMappingURL', urlPayload('bad.map')]]);
        fs.writeFileSync(path.join(p2.build, 'bad.map'), '{ "version": 3, "mappings": ');
        const m2 = loadSourceMapper(bad.bytes, bad.wasm);
        assert.equal(m2.kind, 'none');
        assert.match(m2.warnings.join('\n'), /bad\.map is not valid JSON/);

        const truncatedSection = writeApp(project().build, [['sourceMappingURL', [0x20, 0x41]]]);
        const m3 = loadSourceMapper(truncatedSection.bytes, truncatedSection.wasm);
        assert.equal(m3.kind, 'none');
        assert.match(m3.warnings.join('\n'), /truncated/);
    });

    test('source resolution: sourceRoot, search roots, library pseudo-paths, absolute sources', () => {
        const p = project();
        const app = writeApp(p.build);
        // sourceRoot honoured when the file exists there.
        fs.writeFileSync(app.wasm + '.map', mapJson(app.instrOffsets, ['a.ts', '/abs/elsewhere/b.ts'], { sourceRoot: '../src/' }));
        let m = loadSourceMapper(app.bytes, app.wasm);
        assert.equal(m.lookup(app.instrOffsets[0])?.file, p.a);
        assert.equal(m.lookup(app.instrOffsets[7])?.file, '/abs/elsewhere/b.ts');

        // Paths relative to the directory the compiler ran in: found through a search root.
        fs.writeFileSync(app.wasm + '.map', mapJson(app.instrOffsets, ['src/a.ts', '~lib/array.ts']));
        m = loadSourceMapper(app.bytes, app.wasm);
        assert.equal(m.lookup(app.instrOffsets[0])?.file, path.join(p.build, 'src', 'a.ts'), 'not found: the spec answer stands');
        assert.equal(m.lookup(app.instrOffsets[7])?.file, '~lib/array.ts');
        m = loadSourceMapper(app.bytes, app.wasm, { searchRoots: [p.root] });
        assert.equal(m.lookup(app.instrOffsets[0])?.file, p.a);
        assert.equal(m.lookup(app.instrOffsets[0])?.source, 'src/a.ts');
    });

    test('an explicit sourceMappingURL section wins over DWARF; a side map does not', () => {
        const p = project();
        // Minimal valid DWARF 4 line program: one row at code address 3 (line 77) up to 14.
        const lineProgram = [0, 5, 2, 3, 0, 0, 0, 3, 0xcc, 0x00, 1, 2, 11, 0, 1, 1];
        const header = [1, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, ...Buffer.from('z.c'), 0, 0, 0, 0, 0];
        const afterLength = [4, 0, header.length, 0, 0, 0, ...header, ...lineProgram];
        const debugLine = [afterLength.length, 0, 0, 0, ...afterLength];
        const withBoth = writeApp(p.build, [['.debug_line', debugLine], ['sourceMappingURL', urlPayload('app.wasm.map')]]);
        fs.writeFileSync(withBoth.wasm + '.map', mapJson(withBoth.instrOffsets, ['../src/a.ts', '../src/b.ts']));
        assert.equal(loadSourceMapper(withBoth.bytes, withBoth.wasm).kind, 'sourcemap');
        const dwarfOnly = writeApp(p.build, [['.debug_line', debugLine]]);
        const m = loadSourceMapper(dwarfOnly.bytes, dwarfOnly.wasm);
        assert.equal(m.kind, 'dwarf');
        assert.equal(m.lookup(dwarfOnly.codeStart + 3)?.line, 77);
        assert.equal(m.lookup(dwarfOnly.codeStart + 3)?.file, 'z.c');
    });
});

describe('AssemblyScript sample (asc --debug --sourceMap)', () => {
    const wasm = buildAsSample();
    const mapper = () => loadSourceMapper(fs.readFileSync(wasm), wasm);

    test('finds the map through the sourceMappingURL section and resolves the source file', () => {
        const m = mapper();
        assert.equal(m.kind, 'sourcemap');
        assert.equal(m.origin, wasm + '.map');
        assert.deepEqual(m.warnings, []);
        assert.ok(m.linesWithCode().has(AS_SOURCE), [...m.linesWithCode().keys()].join(', '));
    });

    test('every line with a HITS marker has code, the never-called function included', () => {
        const lines = mapper().linesWithCode().get(AS_SOURCE)!;
        const marked = readMarkers(AS_SOURCE).filter(x => x.code);
        assert.ok(marked.length >= 20);
        for (const mk of marked) assert.ok(lines.has(mk.line), `index.ts:${mk.line} should have code`);
    });

    test('the lines with code are exactly those Binaryen prints debug locations for', () => {
        const wast = fs.readFileSync(wasm.replace(/\.wasm$/, '.wast'), 'utf8');
        const annotated = new Set([...wast.matchAll(/;;@ \S*index\.ts:(\d+):\d+/g)].map(x => Number(x[1])));
        const ours = mapper().linesWithCode().get(AS_SOURCE)!;
        assert.deepEqual([...ours].sort((a, b) => a - b), [...annotated].sort((a, b) => a - b));
    });

    test('the first instruction of each function maps to its FUNC line', { skip: SKIP_NO_OBJDUMP }, () => {
        const m = mapper();
        const starts = objdumpFunctionStarts(wasm);
        for (const name of ['classify', 'printInt', 'neverCalled', '_start']) {
            const entry = [...starts].find(([sym]) => sym.endsWith(`/index/${name}`));
            assert.ok(entry, `llvm-objdump shows no function ${name}`);
            const loc = m.lookup(entry[1]);
            assert.ok(loc, `${name} start unmapped`);
            assert.equal(loc.file, AS_SOURCE);
            assert.equal(loc.line, funcLine(AS_SOURCE, name), name);
        }
    });
});
