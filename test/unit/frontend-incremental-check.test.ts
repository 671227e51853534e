// The incremental check (server/src/frontend/check-incremental.ts): after an edit only the items it affected
// are checked again, and the diagnostics equal those of a whole check of the new text. (The random-edit
// comparison over the language server's builder is in incremental-parse.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { whammServices } from '../../server/src/language/parse.js';
import { parseIncrementally, type IncrementalState } from '../../server/src/language/incremental-parse.js';
import { IncrementalChecker } from '../../server/src/frontend/check-incremental.js';
import { checkScript, type CheckResult } from '../../server/src/frontend/checker.js';
import type { Script } from '../../server/src/language/generated/ast.js';

const BASE = `use whamm_core;
report var total: u64;
fn helper(a: u32, b: u32) -> u32 {
    return a + b;
}
wasm:opcode:br_if:before / fid == 1 / {
    total = total + (helper(fid, pc) as u64);
}
wasm:opcode:call:before {
    var n: u32 = helper(pc, 1);
    total = total + (n as u64);
}
wasm:opcode:i32.add:before {
    total = total + 1;
}
wasm:opcode:local.get:before {
    count = count + 1;
}
`;

class Session {
    private readonly state: IncrementalState = { units: [] };
    readonly checker = new IncrementalChecker();
    check(text: string): CheckResult {
        const parser = whammServices().parser.LangiumParser;
        const script = parseIncrementally(parser, text, this.state)!.value;
        const r = this.checker.check(script);
        const whole = checkScript(parser.parse<Script>(text).value);
        const show = (x: CheckResult) => x.diagnostics.map(d => `${d.start}-${d.end} ${d.severity} ${d.code} ${d.message}`);
        assert.deepEqual(show(r), show(whole), text);
        return r;
    }
}

const messages = (r: CheckResult) => r.diagnostics.map(d => d.message);

test('incremental check: an edit in one probe body checks that probe only', () => {
    const s = new Session();
    s.check(BASE);
    assert.deepEqual(s.checker.stats, { checked: 6, reused: 0 });
    const r = s.check(BASE.replace('total = total + 1;', 'total = total + 2;\n    var unused: u32 = 0;'));
    assert.deepEqual(s.checker.stats, { checked: 1, reused: 5 });
    assert.ok(messages(r).some(m => m.includes('`unused` is declared but never used')));
});

test('incremental check: a function body edit keeps its callers; a signature edit checks them again', () => {
    const s = new Session();
    s.check(BASE);
    s.check(BASE.replace('return a + b;', 'return a * b;'));
    assert.deepEqual(s.checker.stats, { checked: 1, reused: 5 });
    const r = s.check(BASE.replace('-> u32 {\n    return a + b;', '-> bool {\n    return a > b;'));
    // The function and both probes calling it (global inits, the other probes are kept).
    assert.deepEqual(s.checker.stats, { checked: 3, reused: 3 });
    assert.ok(messages(r).some(m => m.startsWith('Cannot initialise `n: u32`')), messages(r).join('\n'));
});

test('incremental check: declaring a missing name checks the items that looked it up', () => {
    const s = new Session();
    const before = s.check(BASE);
    assert.ok(messages(before).includes('Unknown name `count`'));
    const after = s.check(BASE.replace('report var total: u64;', 'report var total: u64;\nvar count: u32;'));
    assert.ok(!messages(after).includes('Unknown name `count`'));
    // The new global's declaration (nothing to check in it) and the probe that uses `count`.
    assert.deepEqual(s.checker.stats, { checked: 2, reused: 5 });
    // Removing it again brings the error back.
    assert.ok(messages(s.check(BASE)).includes('Unknown name `count`'));
});

test('incremental check: kept diagnostics move with their item, and messages naming a line follow it', () => {
    const s = new Session();
    const dup = BASE.replace('total = total + 1;', 'var d: u32 = 1;\n    var d: u32 = 2;\n    total = total + (d as u64);');
    s.check(dup);
    const r = s.check(`// a comment\n// another\n${dup}`);
    assert.ok(messages(r).includes('Duplicate declaration of `d` (first declared on line 16)'), messages(r).join('\n'));
    assert.ok(s.checker.stats.reused > 0);
});

test('incremental check: duplicate script-level names are reported whatever was kept', () => {
    const s = new Session();
    s.check(BASE);
    const r = s.check(BASE.replace('fn helper(a: u32, b: u32) -> u32 {', 'fn total(a: u32, b: u32) -> u32 {'));
    assert.ok(messages(r).some(m => m.startsWith('Duplicate declaration of `total`')), messages(r).join('\n'));
    assert.ok(messages(r).includes('Unknown function `helper`'));
});
