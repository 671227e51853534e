// The incremental parse (server/src/language/incremental-parse.ts) against a parse from scratch: thousands of
// seeded random edits (characters, tokens, braces, comment and string delimiters, whole lines) over
// gallery-like scripts, each applied to a document the language server's builder updates incrementally; after
// every edit its diagnostics (message, range, severity), CST (every token's offset, range and AST type) and
// checker result (types, symbols, declarations, probes, references...; the edited document is checked
// incrementally, frontend/check-incremental.ts) must equal those of a fresh parse and check of the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AstUtils, CstUtils, EmptyFileSystemProvider, URI, type AstNode, type LangiumDocument } from 'langium';
import '../../server/src/polyfill.js';
import { createWhammServices } from '../../server/src/language/whamm-module.js';
import { parseScript, whammServices } from '../../server/src/language/parse.js';
import type { WhammDocumentFactory } from '../../server/src/language/whamm-document-factory.js';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { Script } from '../../server/src/language/generated/ast.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { checkResultOf, incrementalCheckStats } from '../../server/src/language/whamm-validator.js';
import { typeToString } from '../../server/src/frontend/types.js';
import type { ScriptSymbol } from '../../server/src/frontend/symbols.js';

const EDITS = Number(process.env.WHAMM_INCREMENTAL_EDITS ?? 2000);
const RESET_EVERY = 5;

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const EXTRA = `use whamm_core;
report var total: u64;
var sites: map<(u32, u32), u32>;
fn helper(a: u32, b: u32) -> u32 {
    var t: u32 = a * 2 + b;
    if (t > 3) { return t - 1; } elif (t == 0) { return 0; } else { return t + 1; }
}
/* a block /* nested */ comment */
wasm:opcode:br_if:before / fid == 3 && pc > 1 / {
    report unshared var hits: u32;
    var key: (u32, u32) = (fid, pc);
    hits++;
    sites[key]++;
    total = total + (helper(fid, pc) as u64);
    // a line comment
    strcmp((arg0, arg1), "main");
}
wasm:opcode:call:alt { }
`;

const TOKENS = ['{', '}', '(', ')', ';', '"', '/*', '*/', '//', '\n', ' ', 'var x: u32 = 1;', 'if (a) {', '} else {', 'elif', 'else',
    'wasm:opcode:br_if:before', 'wasm:begin', 'fn f() {', 'return', 'report', 'use x;', '/ fid == 1 /', '++', '=', '+', 'x', '1', '.', '[', ']',
    ',', '->', 'map<u32, u32>', '@static', 'as u64', 'total', 'helper(1, 2)', '#', '\\'];
const CHARS = '{}();"/*\n\t abcxyz019=+-<>!&|.,:[]@#\\\'';

function seeds(): string[] {
    const dir = path.join(PROJECT_ROOT, 'monitors');
    const out = fs.readdirSync(dir).filter(f => f.endsWith('.mm')).sort().map(f => fs.readFileSync(path.join(dir, f), 'utf8'));
    return [EXTRA, ...out];
}

function edit(text: string, rand: () => number, pool: string[]): string {
    const at = Math.floor(rand() * (text.length + 1));
    const r = rand();
    if (r < 0.25) return text.slice(0, at) + CHARS[Math.floor(rand() * CHARS.length)] + text.slice(at);
    if (r < 0.45) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 3));
    if (r < 0.7) return text.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + text.slice(at);
    const lines = text.split('\n');
    const k = Math.floor(rand() * lines.length);
    if (r < 0.8) lines.splice(k, 1);
    else if (r < 0.9) lines.splice(k, 0, lines[Math.floor(rand() * lines.length)]);
    else { const other = pool[Math.floor(rand() * pool.length)].split('\n'); lines.splice(k, 0, other[Math.floor(rand() * other.length)]); }
    return lines.join('\n');
}

const key = (d: Diagnostic) => JSON.stringify([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.severity, d.message]);

function cstPrint(doc: LangiumDocument): string[] {
    const root = doc.parseResult.value.$cstNode;
    if (!root) return [];
    const out: string[] = [];
    for (const n of CstUtils.streamCst(root)) {
        const r = n.range;
        let type = '';
        try { type = n.astNode.$type; } catch { type = '?'; }
        out.push(`${n.offset}+${n.length} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${n.hidden ? 'h' : ''} ${type}`);
    }
    return out;
}

/** Everything the checker's result says about a document, with offsets (what the editor features read). */
function checkPrint(doc: LangiumDocument): string[] {
    const script = doc.parseResult.value as Script;
    const r = checkResultOf(script);
    const at = (n: AstNode | undefined) => n?.$cstNode ? `${n.$cstNode.offset}` : '-';
    const sym = (s: ScriptSymbol | undefined) => s ? `${s.kind} ${s.name} ${'type' in s ? typeToString(s.type) : ''} ${at((s as { decl?: AstNode }).decl)}` : '';
    const out: string[] = [];
    for (const n of AstUtils.streamAst(script)) {
        const t = r.typeOf(n), s = r.symbolOf(n), d = r.declared(n);
        if (t || s || d) out.push(`${n.$type}@${at(n)} ${t ? typeToString(t) : ''} | ${sym(s)} | ${sym(d)}`);
        if (n.$type === 'Probe') {
            const p = r.probeInfo(n as never);
            out.push(`probe@${at(n)} rule@${p?.ruleOffset} ${p?.matches.length} uses ${[...p?.uses ?? []].sort().join()} writes ${[...p?.writes ?? []].sort().join()} sites ${p?.siteVars.map(at).join()} bound ${[...p?.boundVars.keys() ?? []].sort().join()} static ${p?.hasStaticCalls}`);
        }
        if (d && (d.kind === 'global' || d.kind === 'report' || d.kind === 'unshared' || d.kind === 'local' || d.kind === 'param')) {
            out.push(`refs ${d.name}: ${r.referencesOf(d).map(at).join()}`);
        }
    }
    out.push(`probes ${r.probes.map(p => `${at(p.probe)}/${p.ruleOffset}`).join()}`);
    out.push(`globals ${r.globals.map(sym).join(', ')}`);
    out.push(`library calls ${r.libraryCalls.map(c => `${c.lib}.${c.fn}@${at(c.node)}`).join()}`);
    out.push(`called ${[...r.calledFunctions].sort().join()} methods ${[...r.stringMethods].sort().join()}`);
    return out;
}

test('incremental parsing and checking: diagnostics, CST and checker result equal a parse and check from scratch after every random edit', async () => {
    const texts = new Map<string, string>();
    class MemoryFileSystem extends EmptyFileSystemProvider {
        override async readFile(...args: unknown[]): Promise<string> { return texts.get(String(args[0])) ?? ''; }
        override stat(uri: URI): never { return { uri, isFile: true, isDirectory: false } as never; }
    }
    const { shared } = createWhammServices({ fileSystemProvider: () => new MemoryFileSystem() });
    const builder = shared.workspace.DocumentBuilder;
    const factory = shared.workspace.LangiumDocumentFactory as WhammDocumentFactory;
    const uri = URI.file('/incremental/edited.mm');
    const pool = seeds();
    const rand = rng(15);
    let text = '';
    let reused = 0;
    let parsed = 0;
    let checksReused = 0;
    for (let n = 0; n < EDITS; n++) {
        const previous = text;
        text = n % RESET_EVERY === 0 ? pool[(n / RESET_EVERY) % pool.length] : edit(text, rand, pool);
        texts.set(uri.toString(), text);
        await builder.update([uri], []);
        reused += factory.lastStats.reused;
        parsed += factory.lastStats.parsed;
        const doc = shared.workspace.LangiumDocuments.getDocument(uri)!;
        const fresh = await parseScript(text);
        if (process.env.WHAMM_INCREMENTAL_DUMP) fs.writeFileSync(process.env.WHAMM_INCREMENTAL_DUMP, JSON.stringify({ previous, text }));
        const context = () => `after edit ${n} (${n % RESET_EVERY} since a reset), text:\n${text}`;
        assert.deepEqual((doc.diagnostics ?? []).map(key).sort(), fresh.diagnostics.map(key).sort(), context());
        assert.deepEqual(cstPrint(doc), cstPrint(fresh.document), context());
        assert.deepEqual(checkPrint(doc), checkPrint(fresh.document), context());
        checksReused += incrementalCheckStats(doc)?.reused ?? 0;
    }
    assert.ok(reused > 0 && parsed > 0, `reused ${reused} chunk parses, parsed ${parsed}`);
    assert.ok(checksReused > EDITS, `reused ${checksReused} item checks`);
});

test('incremental parsing: an edit inside one item parses that item alone and moves the others', async () => {
    const { shared } = createWhammServices({ fileSystemProvider: () => new EmptyFileSystemProvider() });
    const parser = shared.ServiceRegistry.all[0].parser.LangiumParser;
    const { parseIncrementally } = await import('../../server/src/language/incremental-parse.js');
    const items = Array.from({ length: 30 }, (_, i) => `wasm:opcode:br_if:before / fid == ${i} / {\n    count${i}++;\n}\n`);
    const text = `report var total: u64;\n${items.map((p, i) => `report var count${i}: u32;\n${p}`).join('')}`;
    const state = { units: [] };
    const first = { reused: 0, parsed: 0 };
    parseIncrementally(parser, text, state, first);
    assert.equal(first.parsed, 61);
    // One more line in the 11th probe: one parse; the 50 items after it keep their nodes, moved one line down.
    const edited = text.replace('count10++;', 'count10++;\n    total = total + 1;');
    const before = parseIncrementally(parser, text, state)!.value.items[40];
    assert.equal(first.reused, 0);
    const stats = { reused: 0, parsed: 0 };
    const after = parseIncrementally(parser, edited, state, stats)!;
    assert.deepEqual(stats, { reused: 60, parsed: 1 });
    assert.equal(after.value.items[40], before);
    assert.equal(after.parserErrors.length + after.lexerErrors.length, 0);
    const fresh = parser.parse<Script>(edited);
    assert.deepEqual(after.value.items[40].$cstNode!.range, fresh.value.items[40].$cstNode!.range);
    assert.equal(after.value.items[40].$cstNode!.text, fresh.value.items[40].$cstNode!.text);
});

test('completion right after an edit: the declarations and the edited item give what the whole check gives there', async () => {
    const { completionCheckResult } = await import('../../server/src/language/lsp/completion-model.js');
    const { checkScript } = await import('../../server/src/frontend/checker.js');
    const { typeToString } = await import('../../server/src/frontend/types.js');
    const { AstUtils } = await import('langium');
    for (const text of seeds()) {
        // Parsed only: nothing has checked this script yet, as right after an edit.
        const script = whammServices().parser.LangiumParser.parse<Script>(text).value;
        const full = checkScript(script);
        const describe = (r: typeof full, owner: AstNode | undefined) => ({
            globals: r.globals.map(g => `${g.kind} ${g.name} ${'type' in g ? typeToString(g.type as never) : ''}`),
            locals: owner ? [...AstUtils.streamAllContents(owner)].filter(n => n.$type === 'VarDecl').map(n => {
                const s = r.declared(n);
                return `${(n as unknown as { name: string }).name}: ${s && 'type' in s ? typeToString(s.type as never) : '?'}`;
            }) : [],
            bound: owner?.$type === 'Probe' ? (r.probeInfo(owner as never)?.matches.length ?? -1) : 0,
        });
        for (const owner of [undefined, ...script.items.filter(i => i.$type === 'Probe' || i.$type === 'FnDef')]) {
            const partial = completionCheckResult(script, owner as never);
            assert.notEqual(partial, full);
            assert.ok(partial.globals.length === full.globals.length);
            assert.deepEqual(describe(partial, owner), describe(full, owner), text);
        }
    }
});
