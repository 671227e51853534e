// Document outline: probes named by their rule (with the variables they declare), functions, global
// variables and `use`d libraries.
import type { LangiumDocument } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Block, IfStmt, Script, Statement, VarDecl } from '../generated/ast.js';
import { GrammarUtils } from 'langium';

export class WhammDocumentSymbolProvider implements DocumentSymbolProvider {
    getSymbols(document: LangiumDocument): DocumentSymbol[] {
        const script = document.parseResult.value as Script;
        const out: DocumentSymbol[] = [];
        for (const item of script.items) {
            const cst = item.$cstNode;
            if (!cst) continue;
            const sel = (prop: string) => (GrammarUtils.findNodeForProperty(cst, prop) ?? cst).range;
            switch (item.$type) {
                case 'Probe':
                    if (!item.rule) break;
                    // Partial scripts: every field of a node may be missing while the user types.
                    out.push({
                        name: item.rule, kind: SymbolKind.Event, range: cst.range, selectionRange: sel('rule'),
                        detail: item.predicate?.$cstNode ? `/ ${item.predicate.$cstNode.text.replace(/\s+/g, ' ')} /` : undefined,
                        children: item.body ? vars(item.body) : [],
                    });
                    break;
                case 'FnDef':
                    if (!item.name) break;
                    out.push({ name: item.name, kind: SymbolKind.Function, range: cst.range, selectionRange: sel('name'),
                        detail: `(${(item.params ?? []).map(p => p.name ?? '').join(', ')})`, children: item.body ? vars(item.body) : [] });
                    break;
                case 'VarDecl':
                    if (item.name) out.push(varSymbol(item));
                    break;
                case 'Use':
                    if (item.name) out.push({ name: item.name, kind: SymbolKind.Module, range: cst.range, selectionRange: sel('name'), detail: 'use' });
                    break;
            }
        }
        return out;
    }
}

function varSymbol(v: VarDecl): DocumentSymbol {
    const cst = v.$cstNode!;
    return {
        name: v.name, kind: SymbolKind.Variable, range: cst.range,
        selectionRange: (GrammarUtils.findNodeForProperty(cst, 'name') ?? cst).range,
        detail: `${v.report ? 'report ' : ''}${v.unshared ? 'unshared ' : ''}${v.type?.$cstNode?.text ?? ''}`,
    };
}

/** The variables declared anywhere in a body, in text order (an explicit stack: no recursion). */
function vars(block: Block): DocumentSymbol[] {
    const out: DocumentSymbol[] = [];
    const todo: Array<Statement[] | undefined> = [block.stmts];
    while (todo.length > 0) {
        const stmts = todo.pop();
        if (!stmts) continue;
        const nested: Array<Statement[] | undefined> = [];
        for (const s of stmts) {
            if (s.$type === 'VarDecl' && s.$cstNode && s.name) out.push(varSymbol(s));
            else if (s.$type === 'Block') nested.push(s.stmts);
            else if (s.$type === 'IfStmt') {
                for (let k: IfStmt | undefined = s; k; k = k.elseIf) {
                    nested.push(k.then?.stmts, ...(k.elifs ?? []).map(e => e.body?.stmts), k.else?.stmts);
                }
            }
        }
        todo.push(...nested.reverse());
    }
    return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
