// The TextMate grammar (syntaxes/whamm.tmLanguage.json) tokenized by the same engine VS Code uses
// (vscode-textmate + oniguruma). Expectations are the scopes a theme needs for each construct of SPEC.md.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';
import { PROJECT_ROOT, SKIP_NO_SHARED, listFiles, sharedPath } from '../support/shared.js';

const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<import('vscode-textmate').IGrammar> {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
            createOnigString: (s: string) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async () => textmate.parseRawGrammar(
            fs.readFileSync(path.join(PROJECT_ROOT, 'syntaxes', 'whamm.tmLanguage.json'), 'utf8'), 'whamm.tmLanguage.json'),
    });
    const g = await registry.loadGrammar('source.whamm');
    assert.ok(g, 'grammar source.whamm loads');
    return g;
}

const grammarPromise = loadGrammar();

/** Tokenizes `text` and returns, per token text, the innermost scopes (without the `.whamm` suffix). */
async function tokens(text: string): Promise<{ text: string; line: number; scopes: string[] }[]> {
    const g = await grammarPromise;
    const out: { text: string; line: number; scopes: string[] }[] = [];
    let state = textmate.INITIAL;
    text.split('\n').forEach((line, i) => {
        const r = g.tokenizeLine(line, state);
        state = r.ruleStack;
        for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), line: i, scopes: t.scopes.slice(1) });
    });
    return out;
}

async function scopeOf(text: string, token: string, nth = 0): Promise<string[]> {
    const found = (await tokens(text)).filter(t => t.text === token);
    assert.ok(found[nth], `token "${token}" (#${nth}) not found as a whole token in: ${text}\n${JSON.stringify(await tokens(text))}`);
    return found[nth].scopes;
}

async function expectScope(text: string, token: string, scope: string, nth = 0): Promise<void> {
    const scopes = await scopeOf(text, token, nth);
    assert.ok(scopes.some(s => s === scope || s.startsWith(scope + '.')), `"${token}" in ${JSON.stringify(text)}: expected ${scope}, got ${scopes.join(' > ')}`);
}

test('the language id, extension and grammar are registered in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.languages.find((l: { id: string }) => l.id === 'whamm').extensions, ['.mm']);
    const g = pkg.contributes.grammars.find((x: { language: string }) => x.language === 'whamm');
    assert.equal(g.scopeName, 'source.whamm');
    assert.ok(fs.existsSync(path.join(PROJECT_ROOT, g.path)));
});

test('probe rules: every part, globs, alternatives and empty parts', async () => {
    const rule = 'wasm:opcode:br_if:before {';
    await expectScope(rule, 'wasm', 'entity.name.namespace.provider.whamm');
    await expectScope(rule, 'opcode', 'entity.name.type.package.whamm');
    await expectScope(rule, 'br_if', 'entity.name.function.event.whamm');
    await expectScope(rule, 'before', 'keyword.other.mode.whamm');
    await expectScope(rule, ':', 'punctuation.separator.rule.whamm');
    const globs = 'wasm:opcode:*load*|*store*:before {';
    await expectScope(globs, '*', 'keyword.operator.glob.wildcard.whamm');
    await expectScope(globs, '|', 'keyword.operator.glob.alternative.whamm');
    await expectScope(globs, 'store', 'entity.name.function.event.whamm');
    await expectScope('wasm:opcode:i32.load:after {', 'i32.load', 'entity.name.function.event.whamm');
    await expectScope('wasm::br_if:before {', 'br_if', 'entity.name.function.event.whamm');
    await expectScope('wasm:func:entry {', 'func', 'entity.name.type.package.whamm');
    await expectScope('wasm:begin {', 'begin', 'entity.name.type.package.whamm');
});

test('type bounds on the event and on the provider', async () => {
    const ev = 'wasm:opcode:call(arg0: i32, arg1: f64):before {';
    await expectScope(ev, 'arg0', 'variable.parameter.bound.whamm');
    await expectScope(ev, 'f64', 'storage.type.primitive.whamm');
    await expectScope(ev, 'before', 'keyword.other.mode.whamm');
    const prov = 'wasm(local0: i32):opcode:*:before {';
    await expectScope(prov, 'local0', 'variable.parameter.bound.whamm');
    await expectScope(prov, 'opcode', 'entity.name.type.package.whamm');
});

test('predicates between slashes, with bound variables and operators', async () => {
    const p = 'wasm:opcode:br_if:before / fid == 3 && arg0 != 0 / {';
    await expectScope(p, '/', 'punctuation.definition.predicate.begin.whamm', 0);
    await expectScope(p, '/', 'punctuation.definition.predicate.end.whamm', 1);
    await expectScope(p, 'fid', 'variable.language.bound.whamm');
    await expectScope(p, 'arg0', 'variable.language.bound.indexed.whamm');
    await expectScope(p, '&&', 'keyword.operator.logical.whamm');
    await expectScope(p, '3', 'meta.predicate.whamm');
    // A division inside a body is an operator, not a predicate.
    await expectScope('x = a / 2;', '/', 'keyword.operator.arithmetic.whamm');
});

test('keywords, declarations, types and decorators', async () => {
    await expectScope('report unshared var hits: map<(u32, u32), u64>;', 'report', 'storage.modifier.whamm');
    await expectScope('report unshared var hits: map<(u32, u32), u64>;', 'unshared', 'storage.modifier.whamm');
    await expectScope('report unshared var hits: map<(u32, u32), u64>;', 'var', 'storage.type.var.whamm');
    await expectScope('report unshared var hits: map<(u32, u32), u64>;', 'map', 'storage.type.map.whamm');
    await expectScope('report unshared var hits: map<(u32, u32), u64>;', 'u64', 'storage.type.primitive.whamm');
    await expectScope('var s: str;', ':', 'punctuation.separator.type.whamm');
    await expectScope('fn add(a: i32) -> i32 { return a; }', 'add', 'entity.name.function.whamm');
    await expectScope('fn add(a: i32) -> i32 { return a; }', 'return', 'keyword.control.flow.whamm');
    await expectScope('if (x) { } elif (y) { } else { }', 'elif', 'keyword.control.conditional.whamm');
    await expectScope('use alpha;', 'alpha', 'entity.name.namespace.library.whamm');
    await expectScope('@static alpha.setup();', '@', 'punctuation.definition.decorator.whamm');
    await expectScope('@init alpha.setup();', 'init', 'storage.modifier.decorator.whamm');
    await expectScope('@static alpha.setup();', 'setup', 'entity.name.function.whamm');
    await expectScope('y = x as u8;', 'as', 'keyword.operator.cast.whamm');
    await expectScope('y = c ? 1 : 2;', ':', 'keyword.operator.ternary.whamm');
});

test('numbers: decimal with separators, hex, binary, floats, inf and NaN', async () => {
    const cases: [string, string][] = [
        ['1_000_000', 'constant.numeric.decimal.whamm'], ['0xFF_ff', 'constant.numeric.hex.whamm'],
        ['0b1010_0001', 'constant.numeric.binary.whamm'], ['1.5', 'constant.numeric.float.whamm'],
        ['1e3', 'constant.numeric.float.whamm'], ['2.5e-3', 'constant.numeric.float.whamm'],
        ['inf', 'constant.numeric.float.special.whamm'], ['NaN', 'constant.numeric.float.special.whamm'],
    ];
    for (const [n, scope] of cases) await expectScope(`x = ${n};`, n, scope);
    await expectScope('x = true;', 'true', 'constant.language.boolean.whamm');
});

test('strings with every escape of SPEC.md, and invalid escapes flagged', async () => {
    const s = String.raw`s = "a\n\r\t\"\'\\\0\x41\u{1F600}\q";`;
    for (const esc of [String.raw`\n`, String.raw`\r`, String.raw`\t`, String.raw`\"`, String.raw`\'`, String.raw`\\`, String.raw`\0`, String.raw`\x41`, String.raw`\u{1F600}`]) {
        await expectScope(s, esc, 'constant.character.escape.whamm');
    }
    await expectScope(s, String.raw`\q`, 'invalid.illegal.escape.whamm');
    await expectScope(s, 'a', 'string.quoted.double.whamm');
});

test('comments: line, block, and nested block comments', async () => {
    await expectScope('x++; // note', ' note', 'comment.line.double-slash.whamm');
    const nested = '/* outer /* inner */ still outer */ x++;';
    await expectScope(nested, ' still outer ', 'comment.block.whamm');
    await expectScope(nested, 'x', 'variable.other.whamm');
    const multi = '/* a\n /* b */\n c */\nvar z: u8;';
    await expectScope(multi, ' c ', 'comment.block.whamm');
    await expectScope(multi, 'var', 'storage.type.var.whamm');
});

test('bound variables and built-in functions', async () => {
    for (const v of ['fid', 'pc', 'fname', 'opidx', 'effective_addr', 'target_fn_name', 'num_targets']) {
        await expectScope(`x = ${v};`, v, 'variable.language.bound.whamm');
    }
    for (const v of ['arg0', 'res1', 'imm0', 'local12']) {
        await expectScope(`x = ${v};`, v, 'variable.language.bound.indexed.whamm');
    }
    await expectScope('drop_args();', 'drop_args', 'support.function.builtin.whamm');
    await expectScope('x = read_str(APP_MEMID, 0, 4);', 'APP_MEMID', 'constant.language.whamm');
});

test('every conformance and bench script tokenizes without leaving an unterminated construct', { skip: SKIP_NO_SHARED }, async () => {
    const files = [...listFiles(sharedPath('conformance', 'suite'), '.mm'), ...listFiles(sharedPath('bench', 'monitors'), '.mm')];
    assert.ok(files.length > 10);
    const g = await grammarPromise;
    for (const f of files) {
        let state = textmate.INITIAL;
        for (const line of fs.readFileSync(f, 'utf8').split('\n')) state = g.tokenizeLine(line, state).ruleStack;
        // After the last line no string, comment, predicate or probe header may still be open.
        const last = g.tokenizeLine('', state).tokens.at(-1)?.scopes ?? [];
        assert.deepEqual(last.filter(s => /string|comment|predicate|probe\.header/.test(s)), [], `${f} ends inside ${last.join(' > ')}`);
    }
});
