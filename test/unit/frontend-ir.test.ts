// The typed IR the front-end hands the engine (server/src/frontend/ir.ts): every name resolved to what it
// refers to, every expression typed, literals parsed, spans pointing into the script, per-site variables
// and library calls listed; scripts with errors get none.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram, irChildren, type IrExpr, type IrStmt, typeToString } from '../../server/src/frontend/index.js';

const SCRIPT = `use whamm_core;
var g: u64 = 0x10;
report var total: u32;
fn twice(x: u32) -> u32 { return x * 2; }
wasm:opcode:call(arg0: i32):before / fid > 1 / {
    report var per: u8 = 250;
    var t: (u32, bool) = (pc, true);
    var s: str = "a\\tb";
    per++;
    total = total + twice(t.0) + s.len() + APP_MEMID + (arg0 as u32);
    whamm_core.putc(65);
    g = @static whamm_core.mem_alloc(8) as u64;
}
`;

/** Every node of the probe, iteratively. */
function nodes(stmts: readonly IrStmt[]): (IrExpr | IrStmt)[] {
    const out: (IrExpr | IrStmt)[] = [];
    const stack: (IrExpr | IrStmt)[] = [...stmts];
    while (stack.length) {
        const n = stack.pop()!;
        out.push(n);
        stack.push(...irChildren(n));
    }
    return out;
}

test('names are resolved, expressions typed, literals parsed', async () => {
    const program = await buildProgram(SCRIPT);
    assert.deepEqual(program.errors, []);
    const ir = program.ir!;
    assert.deepEqual(ir.uses, ['whamm_core']);
    assert.deepEqual(ir.globals.map(d => [d.var.name, d.var.storage, typeToString(d.var.type)]), [['g', 'global', 'u64'], ['total', 'report', 'u32']]);
    assert.equal(ir.globals[0].init?.kind === 'int' && ir.globals[0].init.value, 16n, 'hex literal parsed');
    assert.deepEqual(ir.functions.map(f => [f.name, f.params.map(p => `${p.name}:${p.storage}`), typeToString(f.result)]), [['twice', ['x:param'], 'u32']]);

    const p = ir.probes[0];
    assert.equal(p.rule, 'wasm:opcode:call(arg0: i32):before');
    assert.equal(SCRIPT.slice(p.ruleSpan.start, p.ruleSpan.end), p.rule);
    assert.deepEqual([...p.bounds], [['arg0', 'i32']]);
    assert.deepEqual(p.matches.map(m => `${m.event.rule}:${m.mode}`), ['wasm:opcode:call:before']);
    assert.ok(p.predicate?.kind === 'binary' && p.predicate.left.kind === 'bound' && p.predicate.left.isStatic, 'fid is a static bound variable');
    assert.equal(p.predicate?.kind === 'binary' && typeToString(p.predicate.right.type), 'u32', 'the literal takes the type of fid');
    assert.deepEqual(p.siteVars.map(d => [d.var.name, d.var.perSite, d.var.storage]), [['per', true, 'report']]);
    assert.equal(p.body[0], p.siteVars[0], 'per-site declarations are the body\'s own nodes');

    const all = nodes(p.body);
    const kinds = new Set(all.map(n => n.kind));
    for (const k of ['decl', 'incdec', 'assign', 'expr', 'var', 'bound', 'const', 'call', 'lib-call', 'method', 'field', 'tuple', 'cast', 'str', 'int', 'bool']) assert.ok(kinds.has(k as never), `no ${k} node`);
    const str = all.find(n => n.kind === 'str');
    assert.equal(str?.kind === 'str' && str.value, 'a\tb', 'escapes resolved');
    const call = all.find(n => n.kind === 'call');
    assert.deepEqual(call?.kind === 'call' && call.callee, { kind: 'function', name: 'twice', params: [{ kind: 'u32' }], result: { kind: 'u32' } });
    const libCalls = all.filter(n => n.kind === 'lib-call').map(n => n.kind === 'lib-call' && `${n.lib}.${n.fn}:${n.isStatic}`);
    assert.deepEqual(libCalls.sort(), ['whamm_core.mem_alloc:true', 'whamm_core.putc:false']);
    assert.deepEqual(ir.libraryCalls.map(c => `${c.lib}.${c.fn}`), ['whamm_core.putc'], '@static calls are no run-time imports');
    assert.equal(SCRIPT.slice(ir.libraryCalls[0].span.start, ir.libraryCalls[0].span.end), 'whamm_core.putc(65)');
    const method = all.find(n => n.kind === 'method');
    assert.equal(method?.kind === 'method' && method.lower, 'str.len');
    const global = all.find(n => n.kind === 'var' && n.var.name === 'total');
    assert.ok(global?.kind === 'var' && global.var === ir.globals[1].var, 'a reference is the declaration\'s variable');
    assert.deepEqual([...ir.globals[1].var.usedIn], [0], 'used in probe 0 only');
    for (const n of all) if ('type' in n) assert.notEqual(n.type.kind, 'unknown', `${n.kind} has a type`);
    assert.deepEqual(ir.position(p.span.start), { line: 4, character: 0 });
});

test('a script with errors has no IR', async () => {
    const program = await buildProgram('wasm:opcode:call:before { var x: u32 = nope; }');
    assert.ok(program.errors.length > 0);
    assert.equal(program.ir, undefined);
});
