// The spec drives this test: for every event of ../shared/whamm/events.tsv, every mode it lists, every bound
// variable and bound function, a script using them gives zero editor errors; and for every opcode event
// whose instruction can be generated from the opcode table (operands of numeric types, memory immediates),
// a WAT fixture containing it is instrumented, validated and run, and the static values (`opname`,
// `bytecode`, `category_id`, `category_name` from categories.tsv, `fid`, `pc`, immediates, memory facts)
// are printed as they should be.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseScript } from '../../server/src/language/parse.js';
import { checkParsed } from '../../server/src/frontend/index.js';
import { opByName, type OpInfo } from '../../server/src/wasm/opcodes.js';
import { instrumentAndRun, validates, wat } from '../support/engine-harness.js';
import { HAVE_SHARED, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';

interface SpecVar { name: string; type: string; isStatic: boolean }
interface SpecFn { name: string; params: { name: string; type: string }[]; result: string }
interface SpecEvent { rule: string; modes: string[]; vars: SpecVar[]; fns: SpecFn[] }

function readEvents(): { events: SpecEvent[]; provider: SpecVar[] } {
    const lines = fs.readFileSync(sharedPath('whamm', 'events.tsv'), 'utf8').split('\n');
    const parseVars = (text: string): SpecVar[] => text.split(/\s+/).filter(Boolean).map(v => {
        const isStatic = v.endsWith('!');
        const m = /^(\w+(?:\[\d+:\d+\]\+)?):(.+)$/.exec(isStatic ? v.slice(0, -1) : v)!;
        return { name: m[1], type: m[2], isStatic };
    });
    const providerLine = lines.find(l => l.includes('Provider-wide'))!;
    const provider = parseVars(providerLine.slice(providerLine.indexOf(':', providerLine.indexOf('probe)')) + 1));
    const events: SpecEvent[] = [];
    for (const l of lines) {
        if (!l.startsWith('wasm:')) continue;
        const [rule, modes, vars = '', fns = ''] = l.split('\t');
        events.push({
            rule, modes: modes.split(',').filter(m => m && m !== '-'), vars: parseVars(vars),
            fns: fns.split(/\s+/).filter(Boolean).map(f => {
                const m = /^(\w+)\((.*)\)->(.*)$/.exec(f)!;
                return { name: m[1], params: m[2].split(',').filter(Boolean).map(p => { const [name, type] = p.split(':'); return { name, type }; }), result: m[3] };
            }),
        });
    }
    return { events, provider };
}

function readCategories(): Map<string, { id: string; name: string }> {
    const out = new Map<string, { id: string; name: string }>();
    for (const l of fs.readFileSync(sharedPath('whamm', 'categories.tsv'), 'utf8').split('\n')) {
        if (!l || l.startsWith('#')) continue;
        const [op, id, name] = l.split('\t');
        out.set(op, { id, name });
    }
    return out;
}

/**
 * What the catalog lists but this implementation reports as unavailable (a checker error, and a README line):
 * `array.len` carries no type immediate in the final GC encoding, so it has no `imm0`/`tid` to report.
 */
const OUT_OF_REACH = new Map([['wasm:opcode:array.len', new Set(['imm0', 'tid'])]]);

/** A family `arg[0:9]+` stands for its first member. */
const concrete = (v: SpecVar) => v.name.replace(/\[(\d+):\d+\]\+$/, '$1');
const resultMode = (mode: string) => mode === 'after';

/** Statements reading each usable variable and calling each usable function of an event in a mode. */
function probeBody(e: SpecEvent, mode: string, provider: SpecVar[]): string {
    const out: string[] = [];
    const decls: string[] = [];
    const bounds: string[] = [];
    let k = 0;
    const read = (type: string, expr: string) => { decls.push(`report var v${k}: ${type};`); out.push(`v${k++} = ${expr};`); };
    for (const v of [...provider, ...e.vars]) {
        const name = concrete(v);
        if (/^res/.test(name) && !resultMode(mode)) continue;
        if (OUT_OF_REACH.get(e.rule)?.has(name)) continue;
        let type = v.type;
        if (type === 'unknown') {
            // The catalog leaves it to the site; a type bound names it (operands of this event are numeric
            // where the opcode table says so).
            const op = opByName(e.rule.split(':')[2] ?? '');
            const t = op ? unknownType(op, name) : undefined;
            if (!t) continue;
            if (!/^local/.test(name)) bounds.push(`${name}: ${t}`);
            else continue;
            type = t;
        }
        if (type === 'funcref') continue; // passed to resolve_funcref below
        if (type.startsWith('map<')) { read('u32', `${name}[0]`); continue; }
        read(type, name);
    }
    for (const f of e.fns) {
        if ((f.name === 'drop_args' || f.name.startsWith('alt_call')) && mode !== 'alt') continue;
        if (f.name.startsWith('alt_call')) continue; // names an app function: covered by test/unit/lang-alt.test.ts
        if (f.name === 'resolve_funcref') { read('i32', 'resolve_funcref(target_funcref, table_entry_idx)'); continue; }
        if (f.name === 'dup_at') { out.push('dup_at(APP_MEMID, 0);'); continue; }
        out.push(`${f.name}(${f.params.map(() => '0').join(', ')});`);
    }
    const [, pkg, ev] = e.rule.split(':');
    const rule = `wasm:${pkg}${ev ? `:${ev}` : ''}${bounds.length ? `(${bounds.join(', ')})` : ''}${mode ? `:${mode}` : ''}`;
    return `${decls.join('\n')}\n${rule} {\n    ${out.join('\n    ')}\n}\n`;
}

/** The Whamm type of an operand the catalog leaves untyped, when the opcode table fixes it. */
function unknownType(op: OpInfo, name: string): string | undefined {
    const m = /^(arg|res)(\d+)$/.exec(name);
    if (!m) return undefined;
    const list = m[1] === 'arg' ? [...op.params].reverse() : [...op.results].reverse();
    const t = list[Number(m[2])];
    return t === 'i32' || t === 'i64' || t === 'f32' || t === 'f64' ? t : undefined;
}

test('every event, mode, bound variable and bound function checks without errors', { skip: SKIP_NO_SHARED }, async () => {
    const { events, provider } = readEvents();
    assert.ok(events.length >= 300, `${events.length} events`);
    const failures: string[] = [];
    let scripts = 0;
    for (const e of events) {
        for (const mode of e.modes.length ? e.modes : ['']) {
            const text = probeBody(e, mode, provider);
            scripts++;
            const errors = checkParsed(await parseScript(text)).lspDiagnostics.filter(d => d.severity === 1);
            if (errors.length) failures.push(`${text}  -> ${errors.map(d => `${d.range.start.line + 1}:${d.range.start.character + 1} ${String(d.message)}`).join(' | ')}`);
        }
    }
    assert.ok(scripts > 800, `${scripts} scripts`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${scripts} scripts have errors`);
});

// ---- fixtures generated from the opcode table ----

const WASM_TYPE: Record<string, string> = { i32: 'i32', u32: 'i32', a: 'i32', A: 'i32', T: 'i32', i64: 'i64', u64: 'i64', f32: 'f32', f64: 'f64' };
const SIMPLE_IMMS = new Set(['i32', 'i64', 'f32', 'f64', 'memarg', 'zero', 'data', 'mem']);
const OFFSET = 8;

/** The instruction with operands that keep it from trapping, and its byte offset in the function body. */
function fixtureOf(op: OpInfo): { body: string[]; pc: number; imms: string[] } | undefined {
    if (op.ruleTyped && !op.mem && !['memory.size', 'memory.grow', 'memory.fill', 'memory.copy', 'memory.init'].includes(op.name)) return undefined;
    if (op.imms.some(k => !SIMPLE_IMMS.has(k))) return undefined;
    const types = op.params.map(t => WASM_TYPE[t]);
    if (types.some(t => !t) || op.results.some(t => !WASM_TYPE[t])) return undefined;
    const body: string[] = [];
    op.params.forEach((t, i) => {
        // Addresses and lengths 0 (with the memarg's offset, aligned for atomics); values 1 (no division by 0).
        const v = t === 'a' || t === 'A' || (op.name === 'memory.init' && i > 0) ? '0' : '1';
        body.push(`${types[i]}.const ${v}`);
    });
    let text = op.name;
    const imms: string[] = [];
    for (const k of op.imms) {
        if (k === 'i32' || k === 'i64') { text += ' 5'; imms.push('5'); }
        else if (k === 'f32' || k === 'f64') { text += ' 5'; imms.push('5'); }
        else if (k === 'memarg') text += ` offset=${OFFSET}`;
        else if (k === 'data') { text += ' 0'; imms.push('0'); }
    }
    if (op.name.startsWith('memory.atomic.wait')) body[body.length - 2] = `${types[types.length - 2]}.const 7`; // not the stored value: returns at once
    // `pc` is the instruction's byte offset in the function body: one byte of local declarations (none),
    // then the operands (`i32/i64.const` of a one-byte value: 2 bytes, `f32.const` 5, `f64.const` 9).
    const pc = 1 + body.reduce((n, ins) => n + (ins.startsWith('f32') ? 5 : ins.startsWith('f64') ? 9 : 2), 0);
    body.push(text);
    for (const _ of op.results) body.push('drop');
    return { body, pc, imms };
}

test('every generated opcode fixture instruments, validates, runs and prints the static values', { skip: SKIP_NO_SHARED }, async () => {
    const { events } = readEvents();
    const categories = readCategories();
    let covered = 0;
    const failures: string[] = [];
    for (const e of events) {
        const name = e.rule.split(':')[2];
        const op = name && e.rule.startsWith('wasm:opcode:') ? opByName(name) : undefined;
        const fx = op && fixtureOf(op);
        if (!op || !fx) continue;
        const mem = op.name.includes('atomic') ? '(memory 1 1 shared)' : '(memory 1 1)';
        const app = await wat(`(module ${mem} (data "ab") (func $first) (func (export "_start") ${fx.body.join(' ')}))`);
        const statics = e.vars.filter(v => v.isStatic && v.type !== 'unknown' && !OUT_OF_REACH.get(e.rule)?.has(v.name));
        const script = `${statics.map(v => `report var s_${v.name}: ${v.type};`).join('\n')}\nreport var s_fid: u32;\nreport var s_pc: u32;\n` +
            `wasm:opcode:${name}:before {\n${statics.map(v => `    s_${v.name} = ${v.name};`).join('\n')}\n    s_fid = fid;\n    s_pc = pc;\n}\n`;
        const expected: Record<string, string> = {
            s_opname: op.name, s_bytecode: String(op.bytecode), s_fid: '1', s_pc: String(fx.pc),
            s_category_id: categories.get(op.name)?.id ?? '?', s_category_name: categories.get(op.name)?.name ?? '?',
        };
        fx.imms.forEach((v, i) => { expected[`s_imm${i}`] = v; });
        if (op.mem) {
            const facts: Record<string, string> = { s_offset: String(OFFSET), s_memory: '0', s_data_size: String(op.mem.bytes), s_is_write: String(op.mem.isWrite) };
            for (const [k, v] of Object.entries(facts)) if (statics.some(x => `s_${x.name}` === k)) expected[k] = v;
        }
        try {
            const run = await instrumentAndRun(app, script);
            if (!validates(run.result.bytes)) { failures.push(`${name}: the output does not validate`); continue; }
            if (run.exitCode !== 0) { failures.push(`${name}: exit ${run.exitCode} ${run.stderr.trim()}`); continue; }
            for (const [k, v] of Object.entries(expected)) {
                const row = run.rows.find(r => r.name === k);
                if (!row) { if (statics.some(s => `s_${s.name}` === k) || !k.startsWith('s_imm')) failures.push(`${name}: no row ${k}`); continue; }
                const got = row.value.replace(/^\+?(\d+)\.?0*e0$/, '$1');
                if (got !== v && !(k === 's_imm0' && Number(got) === Number(v))) failures.push(`${name}: ${k} = ${row.value}, expected ${v}`);
            }
            covered++;
        } catch (err) {
            failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
        }
    }
    assert.deepEqual(failures.slice(0, 15), [], `${failures.length} failures`);
    assert.ok(covered >= 200, `${covered} opcode events covered by generated fixtures`);
    console.log(`# ${covered} opcode events instrumented and run from generated fixtures`);
});

test('what is out of reach is a checker error saying so', { skip: SKIP_NO_SHARED }, async () => {
    for (const [rule, names] of OUT_OF_REACH) {
        for (const n of names) {
            const errors = checkParsed(await parseScript(`report var x: u32;\n${rule}:before { x = ${n}; }`)).lspDiagnostics.filter(d => d.severity === 1);
            assert.equal(errors.length, 1, `${rule} ${n}`);
            assert.match(String(errors[0].message), /is not available for/);
        }
    }
});

test('the events.tsv reader sees the spec', { skip: HAVE_SHARED ? false : SKIP_NO_SHARED }, () => {
    const { events, provider } = readEvents();
    assert.ok(provider.some(v => v.name === 'fid' && v.isStatic));
    assert.ok(events.some(e => e.rule === 'wasm:opcode:i32.add' && e.vars.some(v => v.name === 'category_id' && v.isStatic)));
});
