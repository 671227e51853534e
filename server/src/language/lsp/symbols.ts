// Document outline: probes named by their rule (with the variables they declare), functions, global
// variables and `use`d libraries.
import type { LangiumDocument } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Block, Script, Statement, VarDecl } from '../generated/ast.js';
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
                    out.push({
                        name: item.rule, kind: SymbolKind.Event, range: cst.range, selectionRange: sel('rule'),
                        detail: item.predicate?.$cstNode ? `/ ${item.predicate.$cstNode.text.replace(/\s+/g, ' ')} /` : undefined,
                        children: item.body ? vars(item.body) : [],
                    });
                    break;
                case 'FnDef':
                    out.push({ name: item.name, kind: SymbolKind.Function, range: cst.range, selectionRange: sel('name'),
                        detail: `(${item.params.map(p => p.name).join(', ')})`, children: item.body ? vars(item.body) : [] });
                    break;
                case 'VarDecl':
                    out.push(varSymbol(item));
                    break;
                case 'Use':
                    out.push({ name: item.name, kind: SymbolKind.Module, range: cst.range, selectionRange: sel('name'), detail: 'use' });
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

function vars(block: Block): DocumentSymbol[] {
    const out: DocumentSymbol[] = [];
    const walk = (stmts: Statement[]) => {
        for (const s of stmts) {
            if (s.$type === 'VarDecl' && s.$cstNode) out.push(varSymbol(s));
            else if (s.$type === 'Block') walk(s.stmts);
            else if (s.$type === 'IfStmt') {
                walk(s.then.stmts);
                for (const e of s.elifs) walk(e.body.stmts);
                if (s.else) walk(s.else.stmts);
            }
        }
    };
    walk(block.stmts);
    return out;
}
