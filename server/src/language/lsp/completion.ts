// Completion. A probe rule is a single token, so rule parts are completed from the text before the cursor:
// providers, packages, events (with their opcode category) and the modes the matched events support, each
// replacing just the part (or `|` alternative) being typed. In code: bound variables and functions of the
// probe's matched events with their types, script variables and functions in scope, built-ins, string
// methods after `s.`, types after `:`, keywords, and probe snippets at the top level.
import type { LangiumDocument } from 'langium';
import type { CompletionProvider, CompletionProviderOptions } from 'langium/lsp';
import {
    CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type CompletionParams,
} from 'vscode-languageserver';
import { AstUtils } from 'langium';
import { globMatch } from '../../catalog/index.js';
import { BUILTIN_CONSTS, BUILTIN_FNS, STRING_METHODS, signatureText } from '../../frontend/builtins.js';
import { catalogView, type CatalogView, type EventDef } from '../../frontend/catalog-view.js';
import { typeToString, type Type } from '../../frontend/types.js';
import { isVarDecl, type FnDef, type Probe, type Script } from '../generated/ast.js';
import { completionCheckResult } from './completion-model.js';
import { cursorContext, type CodeContext, type RuleContext } from './context.js';
import { boundVarsForProbe } from './probe-vars.js';

const TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool', 'str', 'funcref', 'map'];
const BODY_KEYWORDS = ['var', 'report', 'unshared', 'if', 'elif', 'else', 'return', 'true', 'false', 'as', '@static', '@init'];
const TOP_KEYWORDS = ['use', 'fn', 'var', 'report', 'true', 'false', '@static', '@init'];

export class WhammCompletionProvider implements CompletionProvider {
    readonly completionOptions: CompletionProviderOptions = { triggerCharacters: [':', '.', '|', '('] };

    getCompletion(document: LangiumDocument, params: CompletionParams): CompletionList | undefined {
        const offset = document.textDocument.offsetAt(params.position);
        const ctx = cursorContext(document, offset);
        const items = ctx.kind === 'rule' ? ruleItems(ctx, document, catalogView()) : codeItems(ctx, document, offset);
        return { isIncomplete: false, items };
    }
}

// ---- rule parts ----

function ruleItems(ctx: RuleContext, document: LangiumDocument, catalog: CatalogView): CompletionItem[] {
    const range = {
        start: document.textDocument.positionAt(ctx.replaceFrom),
        end: document.textDocument.positionAt(ctx.start + ctx.text.length),
    };
    const item = (label: string, kind: CompletionItemKind, detail?: string, doc?: string, sort?: string): CompletionItem => ({
        label, kind, detail, documentation: doc ? { kind: 'markdown', value: doc } : undefined,
        textEdit: { range, newText: label }, filterText: label, sortText: sort,
    });
    if (ctx.inBounds) return boundItems(ctx, range, catalog);
    const prev = ctx.previous;
    const events = catalog.events.filter(e => prev.every((g, i) => i >= e.parts.length || globMatch(g, e.parts[i]) || (i === 2 && e.aliases.some(a => globMatch(g, a)))));
    switch (ctx.partIndex) {
        case 0:
            return unique(catalog.events.map(e => e.parts[0])).map(p => item(p, CompletionItemKind.Module, 'provider', 'The WebAssembly provider: every event of the instrumented module.'));
        case 1:
            return unique(events.map(e => e.parts[1])).map(p => {
                const sample = events.find(e => e.parts[1] === p)!;
                return item(p, CompletionItemKind.Module, sample.parts.length === 2 ? 'event' : 'package', sample.parts.length === 2 ? sample.doc : packageDoc(p));
            });
        case 2: {
            const out: CompletionItem[] = [];
            for (const e of events) {
                if (e.parts.length < 3) continue;
                out.push(item(e.parts[2], e.category ? CompletionItemKind.Event : CompletionItemKind.Event,
                    e.category ? `${e.category} · modes: ${e.modes.join(', ')}` : 'event', eventDoc(e), e.category ? `1${e.parts[2]}` : `0${e.parts[2]}`));
            }
            return out;
        }
        case 3: {
            const modes = unique(events.filter(e => e.parts.length === 3).flatMap(e => [...e.modes]));
            return modes.map(m => item(m, CompletionItemKind.Keyword, 'mode', catalog.modeDoc(m)));
        }
        default:
            return [];
    }
}

function boundItems(ctx: RuleContext, range: { start: { line: number; character: number }; end: { line: number; character: number } }, catalog: CatalogView): CompletionItem[] {
    const typeItems = /:\s*$/.test(ctx.text);
    if (typeItems) {
        return TYPES.filter(t => t !== 'map' && t !== 'str').map(t => ({ label: t, kind: CompletionItemKind.TypeParameter, textEdit: { range, newText: t } }));
    }
    const names = ctx.partIndex === 0 ? ['local0', 'local1', 'local2'] : ['arg0', 'arg1', 'arg2', 'res0'];
    void catalog;
    return names.map(n => ({ label: `${n}: `, kind: CompletionItemKind.Variable, insertText: `${n}: `, detail: 'type bound' }));
}

function packageDoc(p: string): string | undefined {
    switch (p) {
        case 'opcode': return 'One event per instruction (`wasm:opcode:br_if:before`).';
        case 'func': return 'Function entry and exit.';
        case 'block': return 'Basic block start and end.';
        default: return undefined;
    }
}

function eventDoc(e: EventDef): string {
    const lines = [`**${e.rule}**`];
    if (e.doc) lines.push('', e.doc);
    if (e.modes.length) lines.push('', `Modes: ${e.modes.join(', ')}`);
    const vars = e.vars.map(v => `\`${v.name}${v.indexed ? 'N' : ''}: ${typeToString(v.type)}\``);
    if (vars.length) lines.push('', `Bound: ${vars.join(', ')}`);
    return lines.join('\n');
}

// ---- code ----

function codeItems(ctx: CodeContext, document: LangiumDocument, offset: number): CompletionItem[] {
    if (ctx.typePosition) {
        return TYPES.map(t => t === 'map'
            ? { label: 'map', kind: CompletionItemKind.TypeParameter, insertText: 'map<${1:u32}, ${2:u32}>', insertTextFormat: InsertTextFormat.Snippet }
            : { label: t, kind: CompletionItemKind.TypeParameter });
    }
    const script = document.parseResult.value as Script;
    const result = completionCheckResult(script, ctx.probe ?? ctx.fn);
    if (ctx.memberOf !== undefined) return memberItems(ctx, script, offset);
    const items: CompletionItem[] = [];
    const seen = new Set<string>();
    const add = (i: CompletionItem) => { if (!seen.has(i.label)) { seen.add(i.label); items.push(i); } };

    // Variables of enclosing bodies declared before the cursor, then script-level names.
    const owner: Probe | FnDef | undefined = ctx.probe ?? ctx.fn;
    if (owner) {
        for (const node of AstUtils.streamAllContents(owner)) {
            if (isVarDecl(node) && node.$cstNode && node.$cstNode.offset < offset) {
                const sym = result.declared(node);
                add({ label: node.name, kind: CompletionItemKind.Variable, detail: `${varPrefix(node)}${node.name}: ${sym && 'type' in sym ? typeToString(sym.type as Type) : '?'}`, sortText: `0${node.name}` });
            }
        }
        if (ctx.fn) for (const p of ctx.fn.params) {
            add({ label: p.name, kind: CompletionItemKind.Variable, detail: `param ${p.name}`, sortText: `0${p.name}` });
        }
    }
    for (const sym of result.globals) {
        if (sym.kind === 'function') {
            const sig = signatureText(sym.name, sym.decl.params.map((p, i) => ({ name: p.name, type: sym.params[i] })), sym.result, typeToString);
            add({ label: sym.name, kind: CompletionItemKind.Function, detail: `fn ${sig}`, insertText: `${sym.name}($0)`, insertTextFormat: InsertTextFormat.Snippet, sortText: `1${sym.name}` });
        } else if (sym.kind === 'library') {
            add({ label: sym.name, kind: CompletionItemKind.Module, detail: `use ${sym.name}`, sortText: `1${sym.name}` });
        } else if ('type' in sym) {
            add({ label: sym.name, kind: CompletionItemKind.Variable, detail: `${sym.kind === 'report' ? 'report var' : 'var'} ${sym.name}: ${typeToString(sym.type)}`, sortText: `1${sym.name}` });
        }
    }

    if (ctx.probe) {
        const info = result.probeInfo(ctx.probe);
        if (info) {
            for (const v of boundVarsForProbe(info)) {
                add({
                    label: v.name, kind: v.isStatic ? CompletionItemKind.Constant : CompletionItemKind.Variable,
                    detail: `${v.name}: ${typeToString(v.type)}`,
                    labelDetails: { detail: `: ${typeToString(v.type)}`, description: v.isStatic ? 'static' : 'bound' },
                    documentation: v.doc ? { kind: 'markdown', value: v.doc } : undefined,
                    sortText: `2${v.name}`,
                });
            }
            for (const f of unique(info.matches.flatMap(m => m.event.fns.map(fn => fn.name)))) {
                const def = info.matches.flatMap(m => m.event.fns).find(fn => fn.name === f)!;
                add({
                    label: f, kind: CompletionItemKind.Function, detail: signatureText(f, def.params, def.result, typeToString),
                    documentation: def.doc, insertText: def.params.length ? `${f}($0)` : `${f}()`, insertTextFormat: InsertTextFormat.Snippet, sortText: `3${f}`,
                });
            }
        }
    }
    for (const [name, c] of BUILTIN_CONSTS) add({ label: name, kind: CompletionItemKind.Constant, detail: `${name}: ${typeToString(c.type)}`, documentation: c.doc, sortText: `4${name}` });
    for (const [name, f] of BUILTIN_FNS) {
        add({ label: name, kind: CompletionItemKind.Function, detail: signatureText(name, f.params, f.result, typeToString), documentation: f.doc,
            insertText: `${name}($0)`, insertTextFormat: InsertTextFormat.Snippet, sortText: `4${name}` });
    }
    for (const k of ctx.topLevel ? TOP_KEYWORDS : BODY_KEYWORDS) add({ label: k, kind: CompletionItemKind.Keyword, sortText: `5${k}` });
    if (ctx.topLevel) {
        add({ label: 'wasm', kind: CompletionItemKind.Module, detail: 'provider', sortText: `0wasm` });
        for (const s of SNIPPETS) items.push(s);
    }
    return items;
}

function varPrefix(node: { report?: boolean; unshared?: boolean }): string {
    return `${node.report ? 'report ' : ''}${node.unshared ? 'unshared ' : ''}var `;
}

function memberItems(ctx: CodeContext, script: Script, offset: number): CompletionItem[] {
    const result = completionCheckResult(script, ctx.probe ?? ctx.fn);
    const name = ctx.memberOf!;
    const lib = result.globals.find(g => g.kind === 'library' && g.name === name);
    if (lib) return []; // exports of a library are only known to the engine (the .wasm is not in the editor)
    // A str receiver: string methods; a tuple: its indices. Find the receiver's type from a VarRef before the dot.
    let type: Type | undefined;
    const owner = ctx.probe ?? ctx.fn;
    const nodes = owner ? AstUtils.streamAllContents(owner) : AstUtils.streamAllContents(script);
    for (const n of nodes) {
        if (n.$type === 'VarRef' && n.$cstNode && n.$cstNode.end <= offset && n.$cstNode.text === name) type = result.typeOf(n) ?? type;
    }
    if (!type) {
        const sym = result.globals.find(g => g.name === name);
        if (sym && 'type' in sym) type = sym.type as Type;
    }
    if (!type && owner?.$type === 'Probe') {
        const info = result.probeInfo(owner);
        type = info ? boundVarsForProbe(info).find(v => v.name === name)?.type : undefined;
    }
    if (type?.kind === 'str' || type === undefined) {
        return [...STRING_METHODS.values()].map(m => ({
            label: m.name, kind: CompletionItemKind.Method, detail: signatureText(m.name, m.params, m.result, typeToString), documentation: m.doc,
            insertText: m.params.length ? `${m.name}($0)` : `${m.name}()`, insertTextFormat: InsertTextFormat.Snippet,
        }));
    }
    if (type.kind === 'tuple') {
        return type.elems.map((t, i) => ({ label: String(i), kind: CompletionItemKind.Field, detail: typeToString(t) }));
    }
    return [];
}

const SNIPPETS: CompletionItem[] = [
    { label: 'probe: opcode', kind: CompletionItemKind.Snippet, detail: 'wasm:opcode:EVENT:MODE { ... }',
      insertText: 'wasm:opcode:${1:br_if}:${2|before,after,alt|} {\n\t$0\n}', insertTextFormat: InsertTextFormat.Snippet, sortText: '6a' },
    { label: 'probe: with predicate', kind: CompletionItemKind.Snippet, detail: 'wasm:opcode:EVENT:MODE / PRED / { ... }',
      insertText: 'wasm:opcode:${1:call}:${2|before,after,alt|} / ${3:fid == 0} / {\n\t$0\n}', insertTextFormat: InsertTextFormat.Snippet, sortText: '6b' },
    { label: 'probe: function entry', kind: CompletionItemKind.Snippet, detail: 'wasm:func:entry { ... }',
      insertText: 'wasm:func:entry {\n\t$0\n}', insertTextFormat: InsertTextFormat.Snippet, sortText: '6c' },
    { label: 'probe: count', kind: CompletionItemKind.Snippet, detail: 'count every execution of an opcode per site',
      insertText: 'wasm:opcode:${1:*}:before {\n\treport unshared var ${2:count}: u64;\n\t${2:count}++;\n}', insertTextFormat: InsertTextFormat.Snippet, sortText: '6d' },
    { label: 'fn', kind: CompletionItemKind.Snippet, detail: 'function definition',
      insertText: 'fn ${1:name}(${2:a}: ${3:u32}) -> ${4:u32} {\n\t$0\n}', insertTextFormat: InsertTextFormat.Snippet, sortText: '6e' },
];

function unique<T>(xs: T[]): T[] {
    return [...new Set(xs)];
}
