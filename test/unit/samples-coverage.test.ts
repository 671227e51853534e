// `whamm coverage` on the sample apps: exact line hit counts, branch outcomes and function calls, all
// taken from the marker comments of the sample sources (worked out from the programs' logic), the
// lcov and JSON files, merging of several runs, genhtml reading our lcov, and hot spots.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCoverage } from '../../server/src/coverage/collect.js';
import { hotSpots } from '../../server/src/coverage/hotspots.js';
import { fromJson, toJson } from '../../server/src/coverage/json.js';
import { parseLcov, toLcov } from '../../server/src/coverage/lcov.js';
import type { CoverageReport } from '../../server/src/coverage/model.js';
import { mergeReports } from '../../server/src/coverage/model.js';
import '../../server/src/polyfill.js';
import {
    AS_SOURCE, buildAsSample, buildCSample, C_SRC_DIR, funcLine, GENHTML, readMarkers, SKIP_NO_CLANG, SKIP_NO_GENHTML,
} from '../support/samples.js';
import { PROJECT_ROOT } from '../support/shared.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-coverage-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs coverage in-process with the app's stdout captured in a file. */
async function cover(wasm: string): Promise<{ report: CoverageReport; stdout: string; exitCode: number }> {
    const out = path.join(tmp, `stdout-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const fd = fs.openSync(out, 'w');
    let r;
    try {
        r = await runCoverage(fs.readFileSync(wasm), wasm, { stdoutFd: fd, stdout: () => undefined });
    } finally {
        fs.closeSync(fd);
    }
    return { report: r.report, stdout: fs.readFileSync(out, 'utf8'), exitCode: r.exitCode };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Line -> hits expected from the HITS markers. */
function expectedLines(file: string): Map<number, number> {
    return new Map(readMarkers(file).filter(m => m.hits !== undefined).map(m => [m.line, m.hits!]));
}

interface SampleCase {
    name: string;
    skip: string | false;
    wasm: () => string;
    stdout: string;
    /** Source files with markers, and the name the debug info gives each. */
    files: { path: string; source: string }[];
    /** Function (as the name section calls it) -> expected calls, from the program's logic. */
    calls: Record<string, number>;
}

const MAIN_C = path.join(C_SRC_DIR, 'main.c');
const STATS_C = path.join(C_SRC_DIR, 'stats.c');
const STATS_H = path.join(C_SRC_DIR, 'stats.h');
const AS_NAME = (fn: string) => `../../../test/fixtures/samples/as/index/${fn}`;

const CASES: SampleCase[] = [
    ...([4, 5] as const).map((v): SampleCase => ({
        name: `C sample (DWARF ${v})`,
        skip: SKIP_NO_CLANG,
        wasm: () => buildCSample(v),
        stdout: 'ones=3\ntwos=3\nthrees=4\nsum=30\n',
        files: [
            { path: MAIN_C, source: 'main.c' },
            // The DWARF 5 build names stats.c by its absolute path (see buildCSample).
            { path: STATS_C, source: v === 5 ? STATS_C : 'stats.c' },
            { path: STATS_H, source: 'stats.h' },
        ],
        calls: { classify: 10, name_of: 3, __original_main: 1, sum_squares_to: 1, unused_scale: 0 },
    })),
    {
        name: 'AssemblyScript sample',
        skip: false,
        wasm: () => buildAsSample(),
        stdout: '21\n',
        files: [{ path: AS_SOURCE, source: '../../../test/fixtures/samples/as/index.ts' }],
        calls: { [AS_NAME('classify')]: 10, [AS_NAME('printInt')]: 1, [AS_NAME('neverCalled')]: 0, [AS_NAME('_start')]: 1 },
    },
];

for (const c of CASES) {
    describe(`coverage of the ${c.name}`, { skip: c.skip }, () => {
        let run: Promise<Awaited<ReturnType<typeof cover>>> | undefined;
        const once = () => (run ??= cover(c.wasm()));

        test('the app runs unchanged under the coverage monitor', async () => {
            const r = await once();
            assert.equal(r.exitCode, 0);
            assert.equal(r.stdout, c.stdout);
        });

        test('exact hit count of every line with code, uncovered lines at 0', async () => {
            const { report } = await once();
            for (const f of c.files) {
                const got = report.files.get(f.path);
                assert.ok(got, `no coverage for ${f.path}`);
                assert.deepEqual(Object.fromEntries(sorted([...got.lines.keys()]).map(l => [l, got.lines.get(l)])),
                    Object.fromEntries(sorted([...expectedLines(f.path).keys()]).map(l => [l, expectedLines(f.path).get(l)])),
                    `${path.basename(f.path)}: lines with code and their hits`);
            }
        });

        test('branch outcomes of every marked branch', async () => {
            const { report } = await once();
            for (const f of c.files) {
                const got = report.files.get(f.path)!;
                for (const m of readMarkers(f.path).filter(x => x.branch)) {
                    const sites = got.branches.filter(b => b.line === m.line);
                    assert.equal(sites.length, 1, `${path.basename(f.path)}:${m.line} has one branch instruction`);
                    assert.deepEqual(sorted(sites[0].outcomes.map(o => o.count)), sorted(m.branch!), `${path.basename(f.path)}:${m.line} outcomes`);
                }
            }
        });

        test('function calls', async () => {
            const { report } = await once();
            const fns = new Map([...report.files.values()].flatMap(f => f.functions).map(f => [f.name, f]));
            for (const [name, calls] of Object.entries(c.calls)) {
                assert.equal(fns.get(name)?.calls, calls, `${name} calls`);
            }
        });

        test('JSON: keyed by the source name of the debug info, every line with code present', async () => {
            const { report } = await once();
            const json = toJson(report);
            for (const f of c.files) {
                const entry = json.files[f.source];
                assert.ok(entry, `JSON has ${f.source}; keys: ${Object.keys(json.files).filter(k => !k.includes('libc')).join(', ')}`);
                assert.equal(entry.path, f.path);
                assert.deepEqual(entry.lines, Object.fromEntries([...expectedLines(f.path)].map(([l, n]) => [String(l), n])));
            }
            // Round trip.
            const back = fromJson(JSON.parse(JSON.stringify(json)));
            assert.deepEqual(toJson(back), json);
        });

        test('lcov: DA, LF/LH, FNDA and BRDA records of the sample files', async () => {
            const { report } = await once();
            const lcov = toLcov(report);
            for (const f of c.files) {
                const rec = lcov.split('end_of_record\n').find(r => r.includes(`SF:${f.path}\n`));
                assert.ok(rec, `lcov record for ${f.path}`);
                const da = rec.split('\n').filter(l => l.startsWith('DA:'));
                const exp = sorted([...expectedLines(f.path).keys()]).map(l => `DA:${l},${expectedLines(f.path).get(l)}`);
                assert.deepEqual(da, exp);
                const hit = [...expectedLines(f.path).values()].filter(n => n > 0).length;
                assert.ok(rec.includes(`\nLF:${exp.length}\nLH:${hit}\n`), 'LF/LH');
                for (const m of readMarkers(f.path).filter(x => x.branch)) {
                    const brda: string[] = rec.split('\n').filter(l => l.startsWith(`BRDA:${m.line},`)).map(l => l.split(',')[3]);
                    // A branch that never ran is '-' in every outcome.
                    const never = (expectedLines(f.path).get(m.line) ?? 0) === 0;
                    assert.deepEqual(brda.sort(), never ? m.branch!.map(() => '-') : m.branch!.map(String).sort(), `BRDA of line ${m.line}`);
                }
            }
            for (const [name, calls] of Object.entries(c.calls)) assert.ok(lcov.includes(`\nFNDA:${calls},${name}\n`), `FNDA ${name}`);
        });

        test('hot spots: sorted, with shares of all executed instructions', async () => {
            const { report } = await once();
            const h = hotSpots(report, 5);
            assert.ok(h.lines.length > 0 && h.functions.length > 0);
            for (let i = 1; i < h.lines.length; i++) assert.ok(h.lines[i - 1].instructions >= h.lines[i].instructions);
            const shares = h.functions.reduce((s, f) => s + f.share, 0);
            assert.ok(shares > 0 && shares <= 1 + 1e-9);
            // A line's instructions executed are at least its hit count (it has one instruction or more).
            for (const l of h.lines) assert.ok(l.instructions >= l.hits);
        });
    });
}

describe('merging runs', () => {
    test('two runs add up, in the model, through JSON and through lcov', async () => {
        const wasm = buildAsSample();
        const a = (await cover(wasm)).report;
        const b = (await cover(wasm)).report;
        const merged = mergeReports(fromJson(JSON.parse(JSON.stringify(toJson(a)))), b);
        assert.equal(merged.runs, 2);
        const lines = merged.files.get(AS_SOURCE)!.lines;
        for (const [l, n] of expectedLines(AS_SOURCE)) assert.equal(lines.get(l), 2 * n, `line ${l}`);
        const viaLcov = mergeReports(parseLcov(toLcov(a)), parseLcov(toLcov(b)));
        const lcovLines = viaLcov.files.get(AS_SOURCE)!.lines;
        for (const [l, n] of expectedLines(AS_SOURCE)) assert.equal(lcovLines.get(l), 2 * n, `lcov line ${l}`);
        const classify = viaLcov.files.get(AS_SOURCE)!.functions.find(f => f.name === AS_NAME('classify'));
        assert.equal(classify?.calls, 20);
    });
});

describe('whamm coverage (command line)', () => {
    const cli = (args: string[], cwd = PROJECT_ROOT) => spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server/src/cli/main.ts'), ...args], {
        cwd, encoding: 'utf8', env: { ...process.env, WHAMM_CLI_MAIN: '1' },
    });

    test('writes lcov and JSON, merges a second run, prints a summary with hot spots', () => {
        const wasm = buildAsSample();
        const dir = fs.mkdtempSync(path.join(tmp, 'cli-'));
        const json = path.join(dir, 'cov.json'), lcov = path.join(dir, 'cov.lcov');
        const r1 = cli(['coverage', '--app', wasm, '--json', json, '--lcov', lcov]);
        assert.equal(r1.status, 0, r1.stderr);
        assert.equal(r1.stdout, '21\n', 'the app output only');
        const exp = [...expectedLines(AS_SOURCE).values()];
        const outcomes = readMarkers(AS_SOURCE).flatMap(m => m.branch ?? []);
        const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
        const hitLines = exp.filter(n => n > 0).length, hitOutcomes = outcomes.filter(n => n > 0).length;
        assert.ok(r1.stderr.includes(`whamm coverage: 1 source file (sourcemap), lines ${hitLines}/${exp.length} (${pct(hitLines, exp.length)}), `
            + `branches ${hitOutcomes}/${outcomes.length} (${pct(hitOutcomes, outcomes.length)})\n`), r1.stderr);
        assert.match(r1.stderr, /hot functions/);
        // Counts read as words: the app's main runs once.
        assert.match(r1.stderr, /, 1 call\n/);
        assert.doesNotMatch(r1.stderr, /\b1 calls\b/);
        const j1 = JSON.parse(fs.readFileSync(json, 'utf8'));
        const ifLine = String(funcLine(AS_SOURCE, 'classify')); // `if (n % 3 == 0)`: 10 hits a run
        assert.equal(j1.files['../../../test/fixtures/samples/as/index.ts'].lines[ifLine], 10);
        const r2 = cli(['coverage', '--app', wasm, '--json', json, '--lcov', lcov]);
        assert.equal(r2.status, 0, r2.stderr);
        const j2 = JSON.parse(fs.readFileSync(json, 'utf8'));
        assert.equal(j2.runs, 2);
        assert.equal(j2.files['../../../test/fixtures/samples/as/index.ts'].lines[ifLine], 20);
        assert.ok(fs.readFileSync(lcov, 'utf8').includes(`\nDA:${ifLine},20\n`));
        const r3 = cli(['coverage', '--app', wasm, '--json', json, '--no-merge', '--hot', '0']);
        assert.equal(r3.status, 0, r3.stderr);
        assert.equal(JSON.parse(fs.readFileSync(json, 'utf8')).runs, 1);
        assert.doesNotMatch(r3.stderr, /hot functions/);
    });

    test('an lcov file alone is merged too; a user script runs alongside with its own report', () => {
        const wasm = buildAsSample();
        const dir = fs.mkdtempSync(path.join(tmp, 'cli-lcov-'));
        const lcov = path.join(dir, 'only.lcov');
        const script = path.join(dir, 'calls.mm');
        fs.writeFileSync(script, 'wasm:opcode:call:before { report var calls: u32; calls++; }\n');
        const ifLine = funcLine(AS_SOURCE, 'classify');
        assert.equal(cli(['coverage', '--app', wasm, '--lcov', lcov]).status, 0);
        const r = cli(['coverage', '--app', wasm, '--lcov', lcov, '--script', script]);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(fs.readFileSync(lcov, 'utf8').includes(`\nDA:${ifLine},20\n`));
        // The app's output, then the user's report: its rows only (the monitor's counters are not shown).
        assert.ok(r.stdout.startsWith('21\n================================= REPORT CSV FLUSH'), r.stdout);
        const rows = r.stdout.trim().split('\n').slice(3);
        assert.ok(rows.length > 0 && rows.every(l => /, calls, u32, /.test(l)), r.stdout);
        // _start calls classify 10 times and printInt once; printInt calls fd_write once.
        const total = rows.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(', ') + 2)), 0);
        assert.equal(total, 12);
    });

    test('bad input: missing app, not a module, unreadable JSON to merge into', () => {
        const dir = fs.mkdtempSync(path.join(tmp, 'cli-bad-'));
        const r1 = cli(['coverage', '--app', path.join(dir, 'nope.wasm')]);
        assert.equal(r1.status, 2);
        assert.match(r1.stderr, /app not found/);
        const bogus = path.join(dir, 'bogus.wasm');
        fs.writeFileSync(bogus, 'hello');
        const r2 = cli(['coverage', '--app', bogus]);
        assert.equal(r2.status, 2, r2.stderr);
        assert.match(r2.stderr, /bogus\.wasm/);
        const json = path.join(dir, 'c.json');
        fs.writeFileSync(json, '{ not json');
        const r3 = cli(['coverage', '--app', buildAsSample(), '--json', json]);
        assert.equal(r3.status, 2);
        assert.match(r3.stderr, /not JSON.*not replacing it/);
        assert.equal(fs.readFileSync(json, 'utf8'), '{ not json', 'left as it was');
        const r4 = cli(['coverage']);
        assert.equal(r4.status, 2);
        assert.match(r4.stderr, /missing --app/);
    });

    test('genhtml reads the lcov file', { skip: SKIP_NO_GENHTML || SKIP_NO_CLANG }, () => {
        const dir = fs.mkdtempSync(path.join(tmp, 'genhtml-'));
        const lcov = path.join(dir, 'c.lcov');
        const r = cli(['coverage', '--app', buildCSample(5), '--lcov', lcov]);
        assert.equal(r.status, 0, r.stderr);
        // wasi-libc's sources are not on this machine: genhtml is told to skip what it cannot read.
        const g = spawnSync(GENHTML!, ['--branch-coverage', '--function-coverage', '--ignore-errors', 'source', '-o', path.join(dir, 'html'), lcov], { encoding: 'utf8' });
        assert.equal(g.status, 0, g.stderr + g.stdout);
        assert.ok(fs.existsSync(path.join(dir, 'html', 'index.html')));
        const page = fs.readdirSync(path.join(dir, 'html'), { recursive: true }).map(String).find(p => p.endsWith('main.c.gcov.html'));
        assert.ok(page, 'a page for main.c');
        const html = fs.readFileSync(path.join(dir, 'html', page), 'utf8');
        assert.match(html, /classify/);
    });
});
