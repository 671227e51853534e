// The catalog is derived from the opcode table; this checks it against the reference facts in
// ../shared/whamm/events.tsv, and its query API against hand-worked expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SKIP_NO_SHARED, listFiles, sharedPath } from '../support/shared.js';
import {
    allEvents, boundFnsOf, boundVarsOf, eventByRule, findBoundVar, matchEvents, matchRule, modesOf,
    PROVIDER_VARS, type BoundVar, type WhammEvent,
} from '../../server/src/catalog/index.js';
import { globMatch } from '../../server/src/catalog/glob.js';

/** Where we knowingly differ from events.tsv. `add`/`drop` are tsv-formatted variable entries. */
interface Deviation { modesAdd?: string[]; add?: string[]; drop?: string[]; reason: string }
const BLOCK_MODES: Deviation = {
    modesAdd: ['after', 'alt'],
    reason: 'the conformance corpus (wast/events/wasm_opcodes/block|loop|if|else.wast) probes blocks with `after` and `alt`, and the corpus is ground truth',
};
const BRANCH_MODES: Deviation = {
    modesAdd: ['at_target'],
    reason: 'the corpus (br.wast, br_if.wast) uses the `at_target` mode on branches',
};
const cmpxchg = (t: string): Deviation => ({
    add: [`arg1:${t}`, 'arg2:u32'], drop: ['arg1:u32'],
    reason: 'cmpxchg pops three operands (address, expected, replacement): arg1 is the expected value, arg2 the address',
});
const HEAP_IMM: Deviation = {
    add: ['imm0:unknown!'], drop: ['imm[0:9]+:unknown!'],
    reason: 'the instruction has exactly one (heap type) immediate',
};
const DEVIATIONS: Record<string, Deviation> = {
    'wasm:opcode:block': BLOCK_MODES, 'wasm:opcode:loop': BLOCK_MODES, 'wasm:opcode:if': BLOCK_MODES,
    'wasm:opcode:else': BLOCK_MODES, 'wasm:opcode:try_table': BLOCK_MODES,
    'wasm:opcode:br': BRANCH_MODES, 'wasm:opcode:br_if': BRANCH_MODES, 'wasm:opcode:br_table': BRANCH_MODES,
    'wasm:opcode:i64.eq': { add: ['arg1:i64'], reason: 'i64.eq compares two operands like every other binary comparison' },
    'wasm:opcode:i32.atomic.rmw.cmpxchg': cmpxchg('i32'), 'wasm:opcode:i32.atomic.rmw8.cmpxchg_u': cmpxchg('i32'),
    'wasm:opcode:i32.atomic.rmw16.cmpxchg_u': cmpxchg('i32'), 'wasm:opcode:i64.atomic.rmw.cmpxchg': cmpxchg('i64'),
    'wasm:opcode:i64.atomic.rmw8.cmpxchg_u': cmpxchg('i64'), 'wasm:opcode:i64.atomic.rmw16.cmpxchg_u': cmpxchg('i64'),
    'wasm:opcode:i64.atomic.rmw32.cmpxchg_u': cmpxchg('i64'),
    'wasm:opcode:return_call_indirect': { drop: ['res[0:9]+:unknown'], reason: 'a tail call never returns to the site, so there is no result to observe (return_call has none either)' },
    'wasm:opcode:call_ref': { add: ['res[0:9]+:unknown'], reason: 'call_ref returns to the site like call and call_indirect, whose results are bound' },
    'wasm:opcode:memory.copy': { add: ['imm1:u32!'], reason: 'memory.copy encodes two memory indices (destination, source)' },
    'wasm:opcode:br_on_null': { add: ['imm0:u32!'], reason: 'br_on_null has a label immediate like br_on_non_null' },
    'wasm:opcode:ref.null': { add: ['imm0:unknown!'], reason: 'ref.null encodes a heap type immediate' },
    'wasm:opcode:ref.test': HEAP_IMM, 'wasm:opcode:ref.test_null': HEAP_IMM,
    'wasm:opcode:ref.cast': HEAP_IMM, 'wasm:opcode:ref.cast_null': HEAP_IMM,
    'wasm:opcode:array.len': { drop: ['imm0:u32!', 'tid:u32!'], reason: 'array.len has no type immediate in the final GC encoding (0xFB 0x0F)' },
};

interface TsvRow { rule: string; modes: string[]; vars: string[]; fns: string[] }

function readTsv(): { header: string[]; rows: TsvRow[] } {
    const text = fs.readFileSync(sharedPath('whamm', 'events.tsv'), 'utf8');
    const header: string[] = [];
    const rows: TsvRow[] = [];
    for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        if (line.startsWith('#')) { header.push(line); continue; }
        const [rule, modes, vars = '', fns = ''] = line.split('\t');
        if (rule === 'rule') continue;
        rows.push({
            rule,
            modes: modes === '-' ? [] : modes.split(','),
            vars: vars.split(' ').filter(Boolean),
            fns: fns.split(' ').filter(Boolean),
        });
    }
    return { header, rows };
}

function fmtVar(v: BoundVar): string {
    const name = v.family ? `${v.name}[${v.from}:9]+` : v.name;
    return `${name}:${v.type}${v.static ? '!' : ''}`;
}

function ourVars(e: WhammEvent): string[] { return e.vars.map(fmtVar).sort(); }
function ourFns(e: WhammEvent): string[] {
    return boundFnsOf(e).map((f) => `${f.name}(${f.params.map((p) => `${p.name}:${p.type}`).join(',')})->${f.ret ?? '()'}`).sort();
}

test('catalog lists exactly the events of events.tsv, with the same modes, variables and functions', { skip: SKIP_NO_SHARED }, () => {
    const { rows } = readTsv();
    const ours = new Map(allEvents().map((e) => [e.rule, e]));
    assert.deepEqual([...ours.keys()].sort(), rows.map((r) => r.rule).sort());
    const problems: string[] = [];
    for (const row of rows) {
        const e = ours.get(row.rule)!;
        const dev = DEVIATIONS[row.rule];
        const wantModes = [...row.modes, ...(dev?.modesAdd ?? [])].sort();
        const wantVars = [...row.vars.filter((x) => !dev?.drop?.includes(x)), ...(dev?.add ?? [])].sort();
        if (JSON.stringify([...modesOf(e)].sort()) !== JSON.stringify(wantModes)) problems.push(`${row.rule}: modes ${modesOf(e)} != ${wantModes}`);
        if (JSON.stringify(ourVars(e)) !== JSON.stringify(wantVars)) problems.push(`${row.rule}: vars\n   ours ${ourVars(e).join(' ')}\n   want ${wantVars.join(' ')}`);
        if (JSON.stringify(ourFns(e)) !== JSON.stringify([...row.fns].sort())) problems.push(`${row.rule}: fns ${ourFns(e)} != ${row.fns}`);
    }
    assert.deepEqual(problems, []);
    // Every deviation must still be needed: a stale entry would hide a real regression.
    for (const rule of Object.keys(DEVIATIONS)) assert.ok(ours.has(rule), `deviation for unknown event ${rule}`);
});

test('provider-wide variables match the events.tsv header', { skip: SKIP_NO_SHARED }, () => {
    const line = readTsv().header.find((h) => h.includes('Provider-wide'))!;
    const listed = line.slice(line.indexOf(':', line.indexOf('(every probe)')) + 1).trim().split(' ').sort();
    assert.deepEqual(PROVIDER_VARS.map(fmtVar).sort(), listed);
});

test('every deviation changes something the tsv actually says', { skip: SKIP_NO_SHARED }, () => {
    const { rows } = readTsv();
    for (const [rule, dev] of Object.entries(DEVIATIONS)) {
        const row = rows.find((r) => r.rule === rule)!;
        for (const d of dev.drop ?? []) assert.ok(row.vars.includes(d), `${rule}: tsv has no ${d}`);
        for (const a of dev.add ?? []) assert.ok(!row.vars.includes(a), `${rule}: tsv already has ${a}`);
        for (const m of dev.modesAdd ?? []) assert.ok(!row.modes.includes(m), `${rule}: tsv already has mode ${m}`);
        assert.ok(dev.reason.length > 10);
    }
});

test('globs: *, ?, alternatives, classes, empty part', () => {
    assert.ok(globMatch('', 'anything'));
    assert.ok(globMatch('i32.*', 'i32.add'));
    assert.ok(!globMatch('i32.*', 'i64.add'));
    assert.ok(globMatch('br_?f', 'br_if'));
    assert.ok(globMatch('*load*|*store*', 'i64.store8'));
    assert.ok(globMatch('i[36][24].add', 'i64.add'));
    assert.ok(!globMatch('i[!3]2.add', 'i32.add'));
    assert.ok(!globMatch('i32.add', 'i32xadd'), '. is literal');
});

test('matchEvents / matchRule select the right events and modes', () => {
    const names = (es: WhammEvent[]) => es.map((e) => e.event).sort();
    assert.deepEqual(names(matchEvents('wasm', 'opcode', 'br|br_if')), ['br', 'br_if']);
    assert.deepEqual(names(matchEvents('wasm', '', 'br_if')), ['br_if']);
    assert.deepEqual(matchEvents('wasm', 'begin').map((e) => e.rule), ['wasm:begin']);
    assert.deepEqual(names(matchEvents('wasm', 'func', '*')), ['entry', 'exit']);
    const loadsStores = matchEvents('wasm', 'opcode', '*load*|*store*');
    assert.ok(loadsStores.every((e) => e.op?.mem), 'every load/store event has memory info');
    // 14 loads + 9 stores + 7 atomic loads + 7 atomic stores (MVP + threads; SIMD has no events)
    assert.equal(loadsStores.length, 14 + 9 + 7 + 7);
    // a mode glob leaves out events without that mode: `end` has no alt, `unreachable` no after
    const alt = matchRule(['wasm', 'opcode', 'end|unreachable|nop', 'alt']).map((m) => m.event.event).sort();
    assert.deepEqual(alt, ['nop', 'unreachable']);
    const after = matchRule(['wasm', 'opcode', 'end|unreachable|nop', 'after']).map((m) => m.event.event).sort();
    assert.deepEqual(after, ['end', 'nop']);
    assert.deepEqual(matchRule(['wasm', 'func', 'entry']).map((m) => m.event.rule), ['wasm:func:entry']);
    // the underscore spelling of atomics some monitors use (bench/monitors/imix.mm) resolves too
    assert.equal(matchEvents('wasm', 'opcode', 'i32.atomic_rmw8_add_u')[0]?.event, 'i32.atomic.rmw8.add_u');
    assert.equal(eventByRule('wasm:opcode:memory.atomic_notify')?.event, 'memory.atomic.notify');
});

test('bound variables depend on the event and the mode', () => {
    const load = eventByRule('wasm:opcode:i32.load')!;
    const before = boundVarsOf(load, 'before').map((v) => v.name);
    for (const n of ['effective_addr', 'offset', 'arg0', 'fid', 'pc', 'opidx', 'data_size']) assert.ok(before.includes(n), n);
    assert.ok(!before.includes('res0'), 'no result before the load ran');
    assert.equal(findBoundVar(load, 'after', 'res0')?.type, 'i32');
    assert.equal(findBoundVar(load, 'before', 'res0'), undefined);
    assert.equal(findBoundVar(load, 'before', 'effective_addr')?.type, 'u32');

    const store = eventByRule('wasm:opcode:i64.store')!;
    assert.equal(findBoundVar(store, 'before', 'arg0')?.type, 'i64', 'arg0 is the stored value (top of stack)');
    assert.equal(findBoundVar(store, 'before', 'arg1')?.type, 'u32', 'arg1 is the address');
    assert.equal(findBoundVar(store, 'before', 'arg2'), undefined);

    const call = eventByRule('wasm:opcode:call')!;
    assert.equal(findBoundVar(call, 'before', 'arg7')?.type, 'unknown', 'call operands form an open family');
    assert.equal(findBoundVar(call, 'after', 'res3')?.type, 'unknown');
    assert.deepEqual(boundFnsOf(call).map((f) => f.name).sort(), ['alt_call_by_id', 'alt_call_by_name', 'drop_args']);

    const ci = eventByRule('wasm:opcode:call_indirect')!;
    assert.equal(findBoundVar(ci, 'before', 'arg0')?.type, 'i32', 'the table index is typed');
    assert.equal(findBoundVar(ci, 'before', 'arg1')?.type, 'unknown');

    const add = eventByRule('wasm:opcode:i32.add')!;
    assert.equal(findBoundVar(add, 'before', 'arg2'), undefined, 'i32.add has two operands');
    assert.equal(findBoundVar(add, 'before', 'local5')?.type, 'unknown');

    const brt = eventByRule('wasm:opcode:br_table')!;
    assert.equal(findBoundVar(brt, 'before', 'targets')?.type, 'map<u32,u32>');
    assert.equal(findBoundVar(brt, 'before', 'imm4')?.static, true);

    const entry = eventByRule('wasm:func:entry')!;
    assert.deepEqual(modesOf(entry), []);
    assert.equal(findBoundVar(entry, undefined, 'fname')?.type, 'str');
    for (const e of allEvents()) for (const v of e.vars) assert.ok(v.doc.length > 0, `${e.rule}: ${v.name} has no doc`);
    for (const e of allEvents()) assert.ok(e.doc.length > 0, `${e.rule} has no doc`);
});

test('every probe rule of the corpus scripts and bench monitors matches at least one event', { skip: SKIP_NO_SHARED }, () => {
    const files = [
        ...listFiles(sharedPath('conformance', 'suite'), '.mm'),
        ...listFiles(sharedPath('bench', 'monitors'), '.mm'),
    ];
    const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
    for (const f of listFiles(sharedPath('conformance', 'wast'), '.wast')) {
        for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
            const m = /^;; WHAMM --> (.*)$/.exec(line); // active scripts only (`;;;; WHAMM` lines are disabled)
            if (m) texts.push(m[1]);
        }
    }
    let rules = 0;
    for (const text of texts) {
        let code = text.replace(/\/\/.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
        // type bounds (`call(arg0: i32)`) hold spaces; drop every parenthesised group first
        for (let i = 0; i < 3; i++) code = code.replace(/\([^()]*\)/g, '');
        for (const m of code.matchAll(/\bwasm:[^\s{/]*/g)) {
            const parts = m[0].split(':');
            rules++;
            assert.ok(matchRule(parts).length > 0, `no event for rule ${m[0]}`);
        }
    }
    assert.ok(rules > 100, `found ${rules} rules`);
});

test('immValues numbers immediates the way the catalog declares immN', async () => {
    const { wat } = await import('../support/wat.js');
    const { decodeModule, decodeBody } = await import('../../server/src/wasm/index.js');
    const { immValues } = await import('../../server/src/catalog/index.js');
    const m = decodeModule(await wat(`(module (memory 1) (table 2 funcref) (type $t (func))
      (func (param i32)
        (block (block (br_table 1 0 1 (local.get 0))))
        (call_indirect (type $t) (i32.const 0))
        (drop (i64.const -5))
        (drop (i32.load offset=8 (i32.const 0)))))`));
    const instrs = decodeBody(m, 0).instrs;
    const vals = (name: string) => { const ins = instrs.find((i) => i.op.name === name)!; return immValues(ins.op, ins.imms); };
    assert.deepEqual(vals('br_table'), [1, 0, 1]);
    assert.deepEqual(vals('call_indirect'), [0, 0]);
    assert.deepEqual(vals('i64.const'), [-5n]);
    assert.deepEqual(vals('i32.load'), [], 'a memarg binds offset/align/memory, not immN');
    assert.deepEqual(vals('block'), []);
    // and the catalog declares exactly that many immN for these events
    assert.equal(eventByRule('wasm:opcode:call_indirect')!.vars.filter((v) => /^imm\d/.test(v.name)).length, 2);
    assert.equal(eventByRule('wasm:opcode:i32.load')!.vars.some((v) => v.name.startsWith('imm')), false);
});
