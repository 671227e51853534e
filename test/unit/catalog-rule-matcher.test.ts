// The one rule matcher (catalog/glob.ts), from SPEC.md "Probe match rules": each part is a glob (`*` any
// run, `?` one character, `a|b` alternatives, `[...]` a class), an empty part matches everything, two
// parts name begin/end/report, three the mode-less events, four an event and its mode. The checker,
// `whamm info` and the rule parser all go through it, so they agree on every rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, globMatch, matchRule } from '../../server/src/catalog/index.js';
import { parseRule } from '../../server/src/language/rule-parser.js';
import * as ruleParser from '../../server/src/language/rule-parser.js';
import { matchRule as checkerMatch } from '../../server/src/frontend/rule-match.js';
import { catalogView } from '../../server/src/frontend/index.js';

/** `whamm info`'s answer: rule -> sorted `event:mode` strings. */
function infoMatches(rule: string): string[] {
    const parts = parseRule(rule).parts.map(p => p.glob);
    return matchRule(parts).flatMap(m => (m.modes.length ? m.modes.map(mode => `${m.event.rule}:${mode}`) : [m.event.rule])).sort();
}

/** The checker's answer for the same rule. */
function checkerMatches(rule: string): string[] {
    return checkerMatch(parseRule(rule), catalogView()).matches.map(m => (m.mode ? `${m.event.rule}:${m.mode}` : m.event.rule)).sort();
}

const events = (rule: string) => [...new Set(infoMatches(rule).map(r => r.split(':')[2]))].sort();

test('`*` matches any run of characters, also a partial part', () => {
    const i32 = events('wasm:opcode:i32.*:before');
    assert.ok(i32.length > 30 && i32.every(e => e.startsWith('i32.')), 'every i32 instruction, nothing else');
    assert.ok(i32.includes('i32.add') && i32.includes('i32.load8_u') && i32.includes('i32.atomic.rmw.add'));
    assert.deepEqual(infoMatches('wasm:op*:br_if:bef*'), ['wasm:opcode:br_if:before']);
    assert.deepEqual(infoMatches('wasm:opcode:br_if:*').length, infoMatches('wasm:opcode:br_if:before|after|alt|at_target|semantic_after').length);
});

test('`?` matches exactly one character', () => {
    assert.deepEqual(events('wasm:opcode:br_?f:before'), ['br_if']);
    assert.deepEqual(events('wasm:opcode:br_?:before'), []);
    assert.deepEqual(events('wasm:opcode:i??.eqz:before'), ['i32.eqz', 'i64.eqz']);
});

test('`a|b` alternatives: loads and stores', () => {
    const ls = events('wasm:opcode:*load*|*store*:before');
    assert.ok(ls.includes('i32.load') && ls.includes('i64.store8') && ls.includes('i32.atomic.load'));
    assert.ok(ls.every(e => /load|store/.test(e)));
    assert.deepEqual(events('wasm:opcode:br|br_if:before'), ['br', 'br_if']);
});

test('`[...]` classes, negated with `!`', () => {
    assert.deepEqual(events('wasm:opcode:[if][36][24].add:before'), ['f32.add', 'f64.add', 'i32.add', 'i64.add']);
    assert.deepEqual(events('wasm:opcode:i[!3]2.add:before'), []);
    assert.deepEqual(events('wasm:opcode:i[!3]4.add:before'), ['i64.add']);
    assert.equal(typeof compileGlob('i32.[add'), 'string', 'an unclosed class is a rule error');
    assert.ok(parseRule('wasm:opcode:i32.[add:before').problems.length > 0);
});

test('other characters stand for themselves', () => {
    assert.ok(!globMatch('i32.add', 'i32xadd'));
    assert.ok(!globMatch('i32.add', 'i32.add2'), 'anchored at both ends');
});

test('an empty part matches everything, the provider included', () => {
    assert.deepEqual(infoMatches('wasm::br_if:before'), ['wasm:opcode:br_if:before']);
    assert.deepEqual(infoMatches(':opcode:br_if:before'), ['wasm:opcode:br_if:before']);
    assert.deepEqual(infoMatches('wasm:opcode:br_if:'), infoMatches('wasm:opcode:br_if:*'));
});

test('two parts name begin/end/report, three the mode-less events, four an event with a mode', () => {
    assert.deepEqual(infoMatches('wasm:*'), ['wasm:begin', 'wasm:end', 'wasm:report']);
    assert.deepEqual(infoMatches('wasm:func:*'), ['wasm:func:entry', 'wasm:func:exit']);
    assert.deepEqual(infoMatches('wasm:block:*'), ['wasm:block:end', 'wasm:block:start']);
    assert.deepEqual(infoMatches('wasm:opcode:br_if'), [], 'an opcode event needs a mode');
    assert.deepEqual(infoMatches('wasm:func:entry:before'), [], 'a mode-less event takes no mode');
    // A mode glob keeps only the modes the event supports (events.tsv: unreachable has no `after`).
    assert.deepEqual(infoMatches('wasm:opcode:unreachable|nop:after'), ['wasm:opcode:nop:after']);
});

test('aliases: the underscore spelling of atomics matches too', () => {
    assert.deepEqual(infoMatches('wasm:opcode:i32.atomic_rmw8_add_u:before'), ['wasm:opcode:i32.atomic.rmw8.add_u:before']);
});

test('the checker and `whamm info` give the same matches for every rule', () => {
    const rules = [
        'wasm:opcode:i32.*:before', 'wasm:op*:br_if:bef*', 'wasm:opcode:br_?f:before', 'wasm:opcode:*load*|*store*:before',
        'wasm:opcode:[if][36][24].add:before', 'wasm::br_if:before', ':opcode:br_if:before', 'wasm:*', 'wasm:func:*',
        'wasm:opcode:*:*', 'wasm:opcode:unreachable|nop:after', 'wasm:opcode:i32.atomic_rmw8_add_u:before',
        'wasm:opcode:call(arg0: i32):before', 'wasm(local0: i32):opcode:*:alt', 'wasm:opcode:if|block|loop:entry|exit',
    ];
    for (const r of rules) {
        const info = infoMatches(r);
        assert.ok(info.length > 0, `${r} matches something`);
        assert.deepEqual(checkerMatches(r), info, r);
    }
});

test('the rule parser has no glob compiler of its own', () => {
    assert.equal('compileGlob' in ruleParser, false);
    assert.equal('partMatches' in ruleParser, false);
    // Its alternatives are compiled by the catalog's matcher: same answer as globMatch.
    const alt = parseRule('wasm:opcode:i3?.[al]*|nop:before').parts[2].alternatives[0];
    for (const n of ['i32.add', 'i64.load', 'i32.sub', 'f32.add']) assert.equal(alt.regex!.test(n), globMatch('i3?.[al]*', n), n);
});
