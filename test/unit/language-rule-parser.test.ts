// The probe rule parser: parts, roles, `|` alternatives, globs, type bounds, each with exact offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRule } from '../../server/src/language/rule-parser.js';
import { compileGlob, globMatch } from '../../server/src/catalog/glob.js';

const partMatches = (part: { glob: string }, name: string) => globMatch(part.glob, name);

test('four parts get provider/package/event/mode roles and spans', () => {
    const r = parseRule('wasm:opcode:br_if:before');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.parts.map(p => [p.role, p.glob, p.start, p.end]), [
        ['provider', 'wasm', 0, 4], ['package', 'opcode', 5, 11], ['event', 'br_if', 12, 17], ['mode', 'before', 18, 24],
    ]);
});

test('two and three parts', () => {
    assert.deepEqual(parseRule('wasm:begin').parts.map(p => p.role), ['provider', 'package']);
    assert.deepEqual(parseRule('wasm:func:entry').parts.map(p => p.role), ['provider', 'package', 'event']);
});

test('an empty part matches everything', () => {
    const r = parseRule('wasm::br_if:before');
    assert.equal(r.parts[1].glob, '');
    assert.equal(partMatches(r.parts[1], 'opcode'), true);
    assert.equal(partMatches(r.parts[1], 'anything'), true);
});

test('alternatives with globs, each with its own offsets', () => {
    const text = 'wasm:opcode:*load*|*store*|i32.add:before';
    const ev = parseRule(text).parts[2];
    assert.deepEqual(ev.alternatives.map(a => [a.text, a.start, a.end, a.isPattern]), [
        ['*load*', 12, 18, true], ['*store*', 19, 26, true], ['i32.add', 27, 34, false],
    ]);
    for (const a of ev.alternatives) assert.equal(text.substring(a.start, a.end), a.text);
    assert.equal(partMatches(ev, 'i64.load8_u'), true);
    assert.equal(partMatches(ev, 'f32.store'), true);
    assert.equal(partMatches(ev, 'i32.add'), true);
    assert.equal(partMatches(ev, 'i32.sub'), false);
    // `.` is literal, not "any character".
    assert.equal(partMatches(ev, 'i32xadd'), false);
});

test('`?` and character classes', () => {
    const q = compileGlob('i3?.add');
    assert.ok(q instanceof RegExp);
    assert.equal((q as RegExp).test('i32.add'), true);
    assert.equal((q as RegExp).test('i3.add'), false);
    const cls = compileGlob('[if]32.add') as RegExp;
    assert.equal(cls.test('f32.add'), true);
    assert.equal(cls.test('u32.add'), false);
    const neg = compileGlob('[!i]64.add') as RegExp;
    assert.equal(neg.test('f64.add'), true);
    assert.equal(neg.test('i64.add'), false);
    assert.equal(typeof compileGlob('i32.[add'), 'string', 'an unclosed class is an error message');
});

test('type bounds on the event and the provider, with name and type spans', () => {
    const text = 'wasm(local0: i32):opcode:call(arg0: f64, arg1: u8):before';
    const r = parseRule(text);
    assert.deepEqual(r.problems, []);
    assert.equal(r.parts[0].glob, 'wasm');
    assert.deepEqual(r.parts[0].bounds.map(b => [b.name, b.type]), [['local0', 'i32']]);
    const call = r.parts[2];
    assert.equal(call.glob, 'call');
    assert.deepEqual(call.bounds.map(b => [b.name, b.type]), [['arg0', 'f64'], ['arg1', 'u8']]);
    for (const b of [...r.parts[0].bounds, ...call.bounds]) {
        assert.equal(text.substring(b.nameSpan.start, b.nameSpan.end), b.name);
        assert.equal(text.substring(b.typeSpan.start, b.typeSpan.end), b.type);
    }
    assert.equal(text.substring(call.boundsSpan!.start, call.boundsSpan!.end), '(arg0: f64, arg1: u8)');
});

test('malformed bounds and part counts are reported, not thrown', () => {
    const bad = parseRule('wasm:opcode:call(arg0 i32):before');
    assert.equal(bad.problems.length, 1);
    assert.match(bad.problems[0].message, /name: type/);
    const five = parseRule('a:b:c:d:e');
    assert.match(five.problems[0].message, /at most four parts/);
    const empty = parseRule('wasm:opcode:a||b:before');
    assert.match(empty.problems[0].message, /Empty alternative/);
});
