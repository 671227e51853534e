// DWARF .debug_line mapping: hand-assembled line programs with expected rows worked out by hand from
// the opcodes, and the C sample (clang -gdwarf-4 / -gdwarf-5, two compilation units, an inlined
// header function) checked against its marker comments and against llvm-dwarfdump.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadSourceMapper } from '../../server/src/mapping/index.js';
import { decodeModule } from '../../server/src/wasm/decode.js';
import {
    buildCSample, C_SRC_DIR, cstr, dwarfdumpLines, funcLine, handModule, objdumpFunctionStarts, readMarkers,
    readobjCodeStart, sleb, SKIP_NO_CLANG, SKIP_NO_DWARFDUMP, SKIP_NO_OBJDUMP, u16, u32, uleb,
} from '../support/samples.js';
import { sharedPath, SKIP_NO_SHARED } from '../support/shared.js';

// ---- hand-assembled DWARF ------------------------------------------------------------------------

const STD_LENGTHS_13 = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];
const setAddress = (a: number): number[] => [0, 5, 2, ...u32(a)];
const endSequence = [0, 1, 1];
const copy = [1];
const advancePc = (n: number): number[] => [2, ...uleb(n)];
const advanceLine = (n: number): number[] => [3, ...sleb(n)];
const setFile = (n: number): number[] => [4, ...uleb(n)];
const setColumn = (n: number): number[] => [5, ...uleb(n)];
const negateStmt = [6];
const constAddPc = [8];
const fixedAdvancePc = (n: number): number[] => [9, ...u16(n)];

/** A DWARF 4 unit (32-bit format): include dirs ["inc"], files a.c (dir 0) and b.h (dir 1). */
function v4Unit(program: number[]): number[] {
    const afterHeaderLength = [
        1, 1, 1, (-5) & 0xff, 14, 13, ...STD_LENGTHS_13,
        ...cstr('inc'), 0,
        ...cstr('a.c'), 0, 0, 0,
        ...cstr('b.h'), 1, 0, 0,
        0,
    ];
    const afterLength = [...u16(4), ...u32(afterHeaderLength.length), ...afterHeaderLength, ...program];
    return [...u32(afterLength.length), ...afterLength];
}

// Program of the v4 unit, for a function whose instructions sit at code addresses 3..82. Rows:
//   3 a.c:10:4, 5 a.c:11:4 (special opcode), 8 b.h:3:4 (advance_pc), 25 a.c:30:4 (const_add_pc: +17),
//   30 line 0 (fixed_advance_pc), 32 a.c:40:0 (special: addr +2), end 36;
//   a discarded sequence at the tombstone address 0xffffffff; 38 a.c:50:0, end 40 (with an unknown
//   extended opcode and a discriminator in between).
const V4_PROGRAM = [
    ...setAddress(3), ...advanceLine(9), ...setColumn(4), ...copy,
    (1 + 5) + 14 * 2 + 13,
    ...setFile(2), ...advancePc(3), ...advanceLine(-8), ...copy,
    ...constAddPc, ...setFile(1), ...advanceLine(27), ...copy,
    ...fixedAdvancePc(5), ...negateStmt, ...setColumn(0), ...advanceLine(-30), ...copy,
    ...advanceLine(40), ...negateStmt, (0 + 5) + 14 * 2 + 13,
    ...advancePc(4), ...endSequence,
    ...setAddress(0xffffffff), ...advanceLine(99), ...copy, ...advancePc(2), ...endSequence,
    ...setAddress(38), ...advanceLine(49), ...copy, 0, 3, 0x80, 0xaa, 0xbb, 0, 2, 4, 7, ...advancePc(2), ...endSequence,
];

interface StrTab { bytes: number[]; at(s: string): number }
function strTab(): StrTab {
    const bytes: number[] = [];
    const offs = new Map<string, number>();
    return {
        bytes,
        at(s: string): number {
            let o = offs.get(s);
            if (o === undefined) { o = bytes.length; offs.set(s, o); bytes.push(...cstr(s)); }
            return o;
        },
    };
}

/**
 * A DWARF 5 unit with opcode_base 14 (one vendor standard opcode, 13, taking one LEB), line_base -3,
 * line_range 12; directories by line_strp ["/work/proj", "sub"]; files by strp + data1 dir + MD5:
 * main.c (dir 0), util.h (dir 1).
 */
function v5Unit(lineStr: StrTab, str: StrTab, program: number[]): number[] {
    const afterHeaderLength = [
        1, 1, 1, (-3) & 0xff, 12, 14, ...STD_LENGTHS_13, 1,
        1, ...uleb(1), ...uleb(0x1f),
        2, ...u32(lineStr.at('/work/proj')), ...u32(lineStr.at('sub')),
        3, ...uleb(1), ...uleb(0x0e), ...uleb(2), ...uleb(0x0b), ...uleb(5), ...uleb(0x1e),
        2,
        ...u32(str.at('main.c')), 0, ...new Array(16).fill(0xab),
        ...u32(str.at('util.h')), 1, ...new Array(16).fill(0xcd),
    ];
    const afterLength = [...u16(5), 4, 0, ...u32(afterHeaderLength.length), ...afterHeaderLength, ...program];
    return [...u32(afterLength.length), ...afterLength];
}

// Rows: 44 main.c:5 (after the vendor opcode 13 with its operand), 47 main.c:7 (special opcode),
// 47 util.h:1 (copy at the same address: the later row wins), end 52.
const V5_PROGRAM = [
    ...setAddress(44), ...setFile(0), ...advanceLine(4), ...copy,
    13, 0x85, 0x01,
    (2 + 3) + 12 * 3 + 14,
    ...setFile(1), ...advanceLine(-6), ...copy,
    ...advancePc(5), ...endSequence,
];

/** A DWARF 5 unit in the 64-bit format, names as inline strings, dir index as udata: /abs/dir/x.c. */
function v5Unit64(program: number[]): number[] {
    const afterHeaderLength = [
        1, 1, 1, (-5) & 0xff, 14, 13, ...STD_LENGTHS_13,
        1, ...uleb(1), ...uleb(0x08),
        1, ...cstr('/abs/dir'),
        2, ...uleb(1), ...uleb(0x08), ...uleb(2), ...uleb(0x0f),
        1, ...cstr('x.c'), ...uleb(0),
    ];
    const u64 = (n: number): number[] => [...u32(n), 0, 0, 0, 0];
    const afterLength = [...u16(5), 4, 0, ...u64(afterHeaderLength.length), ...afterHeaderLength, ...program];
    return [0xff, 0xff, 0xff, 0xff, ...u64(afterLength.length), ...afterLength];
}

const V5_64_PROGRAM = [...setAddress(60), ...setFile(0), ...advanceLine(99), ...copy, ...advancePc(4), ...endSequence];

/** .debug_info + .debug_abbrev with one DWARF 4 compile unit: name a.c, comp_dir /work/proj, stmt_list 0. */
function v4InfoAndAbbrev(): { info: number[]; abbrev: number[] } {
    const abbrev = [1, 0x11, 0, 0x03, 0x08, 0x10, 0x17, 0x1b, 0x08, 0, 0, 0];
    const die = [1, ...cstr('a.c'), ...u32(0), ...cstr('/work/proj')];
    const afterLength = [...u16(4), ...u32(0), 4, ...die];
    return { info: [...u32(afterLength.length), ...afterLength], abbrev };
}

function handDwarfModule(opts: { withInfo?: boolean; lineSection?: number[] } = {}) {
    const lineStr = strTab(), str = strTab();
    const v4 = v4Unit(V4_PROGRAM);
    const line = opts.lineSection ?? [...v4, ...v5Unit(lineStr, str, V5_PROGRAM), ...v5Unit64(V5_64_PROGRAM)];
    const customs: [string, number[]][] = [['.debug_line', line], ['.debug_line_str', lineStr.bytes], ['.debug_str', str.bytes]];
    if (opts.withInfo !== false) {
        const { info, abbrev } = v4InfoAndAbbrev();
        customs.push(['.debug_info', info], ['.debug_abbrev', abbrev]);
    }
    return handModule(80, customs);
}

describe('DWARF .debug_line reader (hand-assembled units)', () => {
    const m = handDwarfModule();
    const mapper = loadSourceMapper(m.bytes, '/nowhere/app.wasm');
    const at = (codeAddr: number) => mapper.lookup(m.codeStart + codeAddr);
    const brief = (codeAddr: number) => {
        const l = at(codeAddr);
        return l && `${l.file}:${l.line}:${l.column}`;
    };

    test('kind and no warnings', () => {
        assert.equal(mapper.kind, 'dwarf');
        assert.deepEqual(mapper.warnings, []);
    });

    test('DWARF 4: copy, special opcodes, advance_pc, const_add_pc, fixed_advance_pc, set_file, comp_dir from .debug_info', () => {
        assert.equal(brief(3), '/work/proj/a.c:10:4');
        assert.equal(brief(4), '/work/proj/a.c:10:4');
        assert.equal(brief(5), '/work/proj/a.c:11:4');
        assert.equal(brief(7), '/work/proj/a.c:11:4');
        assert.equal(brief(8), '/work/proj/inc/b.h:3:4');
        assert.equal(brief(24), '/work/proj/inc/b.h:3:4');
        assert.equal(brief(25), '/work/proj/a.c:30:4');
        assert.equal(brief(29), '/work/proj/a.c:30:4');
        assert.equal(brief(32), '/work/proj/a.c:40:0');
        assert.equal(brief(35), '/work/proj/a.c:40:0');
        assert.equal(brief(38), '/work/proj/a.c:50:0');
        assert.equal(brief(39), '/work/proj/a.c:50:0');
        assert.equal(at(8)!.source, 'inc/b.h');
        assert.equal(at(3)!.source, 'a.c');
    });

    test('line 0 rows, gaps between sequences and addresses after the last sequence map to nothing', () => {
        assert.equal(at(30), undefined);
        assert.equal(at(31), undefined);
        assert.equal(at(36), undefined);
        assert.equal(at(37), undefined);
        assert.equal(at(40), undefined);
        assert.equal(at(43), undefined);
        assert.equal(at(2), undefined);
        // Outside the Code section entirely.
        assert.equal(mapper.lookup(0), undefined);
        assert.equal(mapper.lookup(m.codeEnd), undefined);
        assert.equal(mapper.lookup(m.codeEnd + 5), undefined);
    });

    test('DWARF 5: line_strp directories, strp + data1 + MD5 files, file 0, vendor standard opcode, opcode_base 14', () => {
        assert.equal(brief(44), '/work/proj/main.c:5:0');
        assert.equal(brief(46), '/work/proj/main.c:5:0');
        // Two rows at 47: the later (util.h:1) covers the instructions.
        assert.equal(brief(47), '/work/proj/sub/util.h:1:0');
        assert.equal(brief(51), '/work/proj/sub/util.h:1:0');
        assert.equal(at(47)!.source, 'sub/util.h');
        assert.equal(at(52), undefined);
    });

    test('DWARF 5 in the 64-bit format with inline strings and udata directory indexes', () => {
        assert.equal(brief(60), '/abs/dir/x.c:100:0');
        assert.equal(brief(63), '/abs/dir/x.c:100:0');
        assert.equal(at(64), undefined);
    });

    test('linesWithCode lists exactly the lines whose rows cover instructions', () => {
        const lines = mapper.linesWithCode();
        const sorted = new Map([...lines].map(([f, s]) => [f, [...s].sort((a, b) => a - b)]));
        assert.deepEqual(Object.fromEntries(sorted), {
            '/work/proj/a.c': [10, 11, 30, 40, 50],
            '/work/proj/inc/b.h': [3],
            '/work/proj/main.c': [5],
            '/work/proj/sub/util.h': [1],
            '/abs/dir/x.c': [100],
        });
    });

    test('without .debug_info, DWARF 4 names stay relative (comp_dir unknown)', () => {
        const m2 = handDwarfModule({ withInfo: false });
        const mp = loadSourceMapper(m2.bytes, '/nowhere/app.wasm');
        assert.equal(mp.lookup(m2.codeStart + 3)?.file, 'a.c');
        assert.equal(mp.lookup(m2.codeStart + 8)?.file, 'inc/b.h');
        // DWARF 5 carries its own comp_dir.
        assert.equal(mp.lookup(m2.codeStart + 44)?.file, '/work/proj/main.c');
    });

    test('malformed units are reported and skipped; the rest is still read; nothing throws', () => {
        const good = v4Unit(V4_PROGRAM);
        const badVersion = [...u32(4), ...u16(9), 0, 0];
        const m3 = handDwarfModule({ lineSection: [...badVersion, ...good] });
        const mp = loadSourceMapper(m3.bytes, '/nowhere/app.wasm');
        assert.equal(mp.kind, 'dwarf');
        assert.equal(mp.warnings.length, 1);
        assert.match(mp.warnings[0], /unsupported \.debug_line version 9/);
        // The good unit sits after the bad one in .debug_line, so the CU's stmt_list (0) no longer
        // points at it: names stay relative.
        assert.equal(mp.lookup(m3.codeStart + 5)?.line, 11);

        const truncated = good.slice(0, good.length - 10);
        const m4 = handDwarfModule({ lineSection: truncated });
        const mp4 = loadSourceMapper(m4.bytes, '/nowhere/app.wasm');
        assert.ok(mp4.warnings.some(w => /\.debug_line unit at 0x0/.test(w)), mp4.warnings.join('\n'));
        // The first sequence ended before the cut, so its rows survive.
        assert.equal(mp4.lookup(m4.codeStart + 5)?.line, 11);
    });

    test('a file that is not Wasm gives kind none with a warning', () => {
        const mp = loadSourceMapper(Buffer.from('not a module at all'), '/x/app.wasm');
        assert.equal(mp.kind, 'none');
        assert.match(mp.warnings[0], /^\/x\/app.wasm: .*magic/);
        assert.equal(mp.lookup(3), undefined);
        assert.equal(mp.linesWithCode().size, 0);
    });

    test('a module without debug info gives kind none and no warning', () => {
        const mp = loadSourceMapper(handModule(3).bytes, '/x/app.wasm');
        assert.equal(mp.kind, 'none');
        assert.deepEqual(mp.warnings, []);
    });
});

// ---- the C sample --------------------------------------------------------------------------------

const MAIN_C = path.join(C_SRC_DIR, 'main.c');
const STATS_C = path.join(C_SRC_DIR, 'stats.c');
const STATS_H = path.join(C_SRC_DIR, 'stats.h');

for (const version of [4, 5] as const) {
    describe(`C sample, DWARF ${version}`, { skip: SKIP_NO_CLANG }, () => {
        const wasm = SKIP_NO_CLANG ? '' : buildCSample(version);
        const mapper = () => loadSourceMapper(fs.readFileSync(wasm), wasm);

        test('reads DWARF without warnings', () => {
            const m = mapper();
            assert.equal(m.kind, 'dwarf');
            assert.deepEqual(m.warnings, []);
        });

        test('every line marked as having code has code; both compilation units and the inlined header are there', () => {
            const lines = mapper().linesWithCode();
            for (const file of [MAIN_C, STATS_C, STATS_H]) {
                const have = lines.get(file);
                assert.ok(have, `no lines for ${file}; files: ${[...lines.keys()].join(', ')}`);
                for (const mk of readMarkers(file).filter(x => x.code)) {
                    assert.ok(have.has(mk.line), `${path.basename(file)}:${mk.line} should have code`);
                }
            }
        });

        test('comment-only and blank lines have no code', () => {
            const lines = mapper().linesWithCode().get(MAIN_C)!;
            const text = fs.readFileSync(MAIN_C, 'utf8').split('\n');
            text.forEach((t, i) => {
                if (/^\s*(\/\/.*|\/\*.*|\*.*|#include.*)?$/.test(t)) assert.ok(!lines.has(i + 1), `main.c:${i + 1} "${t}" has no code`);
            });
        });

        test('the first instruction of each function maps to its declaration line', { skip: SKIP_NO_OBJDUMP }, () => {
            const m = mapper();
            const starts = objdumpFunctionStarts(wasm);
            const cases: [string, string, string][] = [
                ['classify', 'classify', MAIN_C], ['name_of', 'name_of', MAIN_C], ['main', '__original_main', MAIN_C],
                ['sum_squares_to', 'sum_squares_to', STATS_C], ['unused_scale', 'unused_scale', STATS_C],
            ];
            for (const [marker, symbol, file] of cases) {
                const off = starts.get(symbol);
                assert.ok(off !== undefined, `llvm-objdump shows no function ${symbol}`);
                const loc = m.lookup(off);
                assert.ok(loc, `${symbol} start unmapped`);
                assert.equal(loc.file, file);
                assert.equal(loc.line, funcLine(file, marker), `${symbol} starts at its FUNC line`);
            }
        });

        test('the inlined square() body maps to stats.h inside sum_squares_to', { skip: SKIP_NO_OBJDUMP }, () => {
            const m = mapper();
            const starts = objdumpFunctionStarts(wasm);
            const from = starts.get('sum_squares_to')!, to = starts.get('unused_scale')!;
            const squareLine = readMarkers(STATS_H).find(x => x.code)!.line;
            let hits = 0;
            for (let off = from; off < to; off++) {
                const l = m.lookup(off);
                if (l?.file === STATS_H) { assert.equal(l.line, squareLine); hits++; }
            }
            assert.ok(hits > 0, 'no byte of sum_squares_to maps to stats.h');
        });

        test('the allocation-free locator answers like lookup, in order and out of order', () => {
            const m = mapper();
            const bytes = fs.readFileSync(wasm);
            const loc = m.locator();
            const same = (off: number) => {
                const want = m.lookup(off);
                const ok = loc.at(off);
                assert.equal(ok, want !== undefined, `offset ${off}`);
                if (want) assert.deepEqual({ file: loc.file, source: loc.source, line: loc.line, column: loc.column }, want, `offset ${off}`);
            };
            for (let off = 0; off < bytes.length; off++) same(off);
            let seed = 7;
            for (let i = 0; i < 5000; i++) { seed = (seed * 1103515245 + 12345) >>> 0; same(seed % bytes.length); }
        });

        test('agrees with llvm-dwarfdump on every row', { skip: SKIP_NO_DWARFDUMP || SKIP_NO_OBJDUMP }, () => {
            const m = mapper();
            const codeStart = readobjCodeStart(wasm);
            const units = dwarfdumpLines(wasm);
            assert.ok(units.length >= 3, 'several compilation units');
            assert.ok(units.some(u => u.version === version), `some unit has version ${version}`);
            const expectedLines = new Map<string, Set<number>>();
            let checked = 0;
            for (const u of units) {
                // Rows are in sequence order; a row covers up to the next row's address.
                for (let i = 0; i + 1 < u.rows.length; i++) {
                    const r = u.rows[i], next = u.rows[i + 1];
                    if (r.flags.includes('end_sequence') || next.address <= r.address) continue;
                    if (r.address < 2 || r.address >= 0xfffffffe) continue; // discarded code
                    const entry = u.files.get(r.file)!;
                    for (const addr of [r.address, next.address - 1]) {
                        const loc = m.lookup(codeStart + addr);
                        if (r.line === 0) {
                            assert.equal(loc, undefined, `0x${addr.toString(16)} is line 0`);
                            continue;
                        }
                        assert.ok(loc, `0x${addr.toString(16)} unmapped`);
                        assert.equal(loc.line, r.line, `line at 0x${addr.toString(16)}`);
                        assert.equal(loc.column, r.column, `column at 0x${addr.toString(16)}`);
                        const name = entry.name.replace(/^\.\//, '');
                        assert.ok(loc.file === entry.name || loc.file.endsWith('/' + name), `${loc.file} vs ${entry.name}`);
                        checked++;
                    }
                    if (r.line !== 0 && (entry.name.endsWith('main.c') || entry.name.endsWith('stats.c') || entry.name.endsWith('stats.h'))) {
                        const key = path.basename(entry.name);
                        if (!expectedLines.has(key)) expectedLines.set(key, new Set());
                        expectedLines.get(key)!.add(r.line);
                    }
                }
            }
            assert.ok(checked > 500, `checked ${checked} rows`);
            const ours = m.linesWithCode();
            for (const file of [MAIN_C, STATS_C, STATS_H]) {
                assert.deepEqual([...ours.get(file)!].sort((a, b) => a - b), [...expectedLines.get(path.basename(file))!].sort((a, b) => a - b), file);
            }
        });
    });
}

test('corrupted debug sections never make the reader throw', { skip: SKIP_NO_CLANG }, () => {
    const wasm = buildCSample(5);
    const original = fs.readFileSync(wasm);
    const m = decodeModule(original);
    const targets = m.sections.filter(s => s.name === '.debug_line' || s.name === '.debug_info' || s.name === '.debug_abbrev' || s.name === '.debug_line_str');
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    let warned = 0;
    for (let i = 0; i < 150; i++) {
        const bytes = Uint8Array.from(original);
        const s = targets[rand(targets.length)];
        // Skip the section name so the section stays findable; corrupt 1 to 8 bytes of its contents.
        const from = s.contentStart + 1 + s.name!.length;
        for (let k = 1 + rand(8); k > 0; k--) bytes[from + rand(s.end - from)] = rand(256);
        const mapper = loadSourceMapper(bytes, wasm);
        if (mapper.warnings.length) warned++;
        for (let off = m.sections.find(x => x.id === 10)!.contentStart; off < m.sections.find(x => x.id === 10)!.end; off += 97) mapper.lookup(off);
        mapper.linesWithCode();
    }
    assert.ok(warned > 0, 'some corruptions are reported');
});

// ---- a Rust app of the conformance corpus (rustc's DWARF, which llvm-dwarfdump 14 cannot open) ----

test('the Rust conformance app: DWARF read without warnings, its own file named as rustc wrote it', { skip: SKIP_NO_SHARED }, () => {
    const wasm = sharedPath('conformance', 'apps', 'core_suite', 'rust', 'cf.wasm');
    if (!fs.existsSync(wasm)) return;
    const m = loadSourceMapper(fs.readFileSync(wasm), wasm);
    assert.equal(m.kind, 'dwarf');
    assert.deepEqual(m.warnings, []);
    const main = [...m.sourceNames()].find(([, source]) => source === 'src/main.rs');
    assert.ok(main, 'src/main.rs is among the sources');
    assert.ok(main[0].endsWith('/control_flow/src/main.rs'), `resolved against comp_dir: ${main[0]}`);
    assert.ok(m.linesWithCode().get(main[0])!.size > 10);
    // The standard library's files are absolute paths under /rustc/<commit>/.
    assert.ok([...m.linesWithCode().keys()].some(f => /^\/rustc\/[0-9a-f]{40}\/library\//.test(f)));
});
