// One registry of built-ins (server/src/frontend/builtins.ts): every built-in function, constant and string
// method, and every bound function of the event catalog, reaches each consumer: the engine has an emitter
// for its lowering key, the checker resolves a call of it (and the IR carries the key), completion lists it
// with the registry's doc, and hover shows that doc.
import '../../server/src/polyfill.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BOUND_FN_LOWERING, BUILTIN_CONSTS, BUILTIN_FNS, STRING_METHODS, buildProgram, catalogView } from '../../server/src/frontend/index.js';
import { EMITTERS } from '../../server/src/engine/builtin-emitters.js';
import { LspClient, positionOf } from '../support/lsp-client.js';

/** Calls every built-in, constant, string method and bound function once. */
const SCRIPT = `use whamm_core;
report var n: u32;
wasm:opcode:memory.copy:before {
    var s: str = read_str(0, 0, 1);
    write_str(0, 0, s);
    var b: bool = strcmp((0, 1), "a");
    var id: u32 = memid(whamm_core);
    var p: u32 = page_size(0) + mem_size(0) + active_data_start(0) + active_data_len(0) + APP_MEMID;
    memcpy(0, 0, 0, 0, 1);
    dup_at(0, 0);
    n = s.len() + s.addr() + id + p;
    if (b && (s.starts_with("a") || s.ends_with("b") || s.contains("c"))) { n++; }
}
wasm:opcode:call_indirect:before { var f: i32 = resolve_funcref(target_funcref, table_entry_idx); n = f as u32; }
wasm:opcode:call:alt { drop_args(); alt_call_by_id(0); }
wasm:opcode:call:alt { alt_call_by_name("f"); }
`;

const registry = () => [
    ...[...BUILTIN_FNS.values()].map(f => ({ name: f.name, lower: f.lower, doc: f.doc, kind: 'fn' })),
    ...[...BUILTIN_CONSTS.values()].map(c => ({ name: c.name, lower: c.lower, doc: c.doc, kind: 'const' })),
    ...[...STRING_METHODS.values()].map(m => ({ name: m.name, lower: m.lower, doc: m.doc, kind: 'method' })),
];

let client: LspClient;
before(async () => {
    client = new LspClient();
    await client.initialize();
});
after(async () => { await client.shutdown(); });

test('every built-in and bound function has an engine emitter, and every emitter a registry entry', () => {
    const keys = new Set(Object.keys(EMITTERS));
    for (const b of registry()) assert.ok(keys.has(b.lower) && typeof EMITTERS[b.lower] === 'function', `no emitter for ${b.name} (${b.lower})`);
    const boundFns = new Set(catalogView().events.flatMap(e => e.fns.map(f => f.name)));
    assert.ok(boundFns.size >= 5, 'the catalog has bound functions');
    for (const f of boundFns) {
        const key = BOUND_FN_LOWERING.get(f);
        assert.ok(key && keys.has(key), `bound function ${f} has no lowering`);
    }
    const used = new Set<string>([...registry().map(b => b.lower), ...BOUND_FN_LOWERING.values()]);
    assert.deepEqual([...keys].filter(k => !used.has(k)), [], 'emitters without a registry entry');
});

test('the checker resolves every built-in and the IR carries its lowering key', async () => {
    const program = await buildProgram(SCRIPT);
    assert.deepEqual(program.errors.map(d => d.message), []);
    const lowered = program.ir!.lowerings;
    for (const b of registry()) if (b.kind !== 'const') assert.ok(lowered.has(b.lower), `${b.name} is not lowered to ${b.lower}`);
    for (const [name, key] of BOUND_FN_LOWERING) assert.ok(lowered.has(key), `${name} is not lowered to ${key}`);
    const memory = program.ir!.probes[0];
    const constants = JSON.stringify(memory.body, (k, v) => (typeof v === 'bigint' ? String(v) : k === 'var' ? v.name : v));
    assert.match(constants, /"kind":"const","name":"APP_MEMID","lower":"app_memid"/);
});

test('completion lists every built-in function, constant and string method with the registry\'s doc', async () => {
    const text = 'wasm:opcode:call:before {\n    var s: str = "a";\n    \n    s.\n}';
    const uri = 'file:///whamm-registry/complete.mm';
    await client.open(uri, text);
    const body = await client.completion(uri, { line: 2, character: 4 });
    const methods = await client.completion(uri, { line: 3, character: 6 });
    const doc = (i: { documentation?: unknown }) => (typeof i.documentation === 'string' ? i.documentation : (i.documentation as { value?: string } | undefined)?.value);
    for (const b of registry()) {
        const item = (b.kind === 'method' ? methods : body).find(i => i.label === b.name);
        assert.ok(item, `completion misses ${b.name}`);
        assert.equal(doc(item), b.doc, `completion doc of ${b.name}`);
    }
});

test('hover shows the registry\'s doc of every built-in function, constant and string method', async () => {
    const uri = 'file:///whamm-registry/hover.mm';
    assert.deepEqual((await client.open(uri, SCRIPT)).filter(d => d.severity === 1), []);
    for (const b of registry()) {
        const needle = b.kind === 'method' ? `.${b.name}(` : b.kind === 'const' ? b.name : `${b.name}(`;
        const h = await client.hover(uri, positionOf(SCRIPT, needle, b.kind === 'method' ? 1 : 0));
        const value = (h?.contents as { value?: string } | undefined)?.value ?? '';
        assert.ok(value.includes(b.doc), `hover of ${b.name}: ${value}`);
    }
});
