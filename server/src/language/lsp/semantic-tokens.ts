// Semantic highlighting: rule parts (provider/package as namespaces, the event as an event, the mode as a
// keyword-like modifier, type bounds as parameters and types), and names coloured by what they resolve to
// (bound variables as read-only default-library variables, functions, libraries, parameters).
import { AstUtils, type AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor, type SemanticTokenAcceptorOptions } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import type { Probe, Script } from '../generated/ast.js';
import { checkResultOf } from '../whamm-validator.js';

export class WhammSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected override highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        const doc = AstUtils.getDocument(node).textDocument;
        const result = checkResultOf(AstUtils.findRootNode(node) as Script);
        // Properties are named dynamically here; Langium's typing wants a literal property of a concrete node type.
        const accept = (options: Record<string, unknown>) => acceptor(options as unknown as SemanticTokenAcceptorOptions);
        const range = (start: number, end: number) => ({ start: doc.positionAt(start), end: doc.positionAt(end) });
        switch (node.$type) {
            case 'Probe': {
                const info = result.probeInfo(node as Probe);
                if (!info) return;
                const base = info.ruleOffset;
                for (const part of info.rule.parts) {
                    if (part.globSpan.end > part.globSpan.start) {
                        const type = part.role === 'event' ? SemanticTokenTypes.event
                            : part.role === 'mode' ? SemanticTokenTypes.keyword : SemanticTokenTypes.namespace;
                        acceptor({ range: range(base + part.globSpan.start, base + part.globSpan.end), type });
                    }
                    for (const b of part.bounds) {
                        acceptor({ range: range(base + b.nameSpan.start, base + b.nameSpan.end), type: SemanticTokenTypes.parameter });
                        acceptor({ range: range(base + b.typeSpan.start, base + b.typeSpan.end), type: SemanticTokenTypes.type });
                    }
                }
                return;
            }
            case 'VarDecl':
                accept({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration });
                return;
            case 'Param':
                accept({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration });
                return;
            case 'FnDef':
                accept({ node, property: 'name', type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.declaration });
                return;
            case 'Use':
                accept({ node, property: 'name', type: SemanticTokenTypes.namespace, modifier: SemanticTokenModifiers.declaration });
                return;
            case 'PrimType':
                accept({ node, property: 'name', type: SemanticTokenTypes.type });
                return;
            case 'VarRef': {
                const sym = result.symbolOf(node);
                if (!sym) return;
                const cst = node.$cstNode;
                if (!cst) return;
                switch (sym.kind) {
                    case 'bound': accept({ cst, type: SemanticTokenTypes.variable, modifier: sym.isStatic ? [SemanticTokenModifiers.readonly, SemanticTokenModifiers.defaultLibrary] : [SemanticTokenModifiers.defaultLibrary] }); return;
                    case 'builtin': accept({ cst, type: SemanticTokenTypes.variable, modifier: [SemanticTokenModifiers.readonly, SemanticTokenModifiers.defaultLibrary] }); return;
                    case 'param': accept({ cst, type: SemanticTokenTypes.parameter }); return;
                    case 'library': accept({ cst, type: SemanticTokenTypes.namespace }); return;
                    case 'function': accept({ cst, type: SemanticTokenTypes.function }); return;
                    default: accept({ cst, type: SemanticTokenTypes.variable }); return;
                }
            }
            case 'CallExpr': {
                const sym = result.symbolOf(node);
                const builtin = sym?.kind === 'builtin-fn' || sym?.kind === 'bound-fn';
                accept({ node, property: 'callee', type: SemanticTokenTypes.function, modifier: builtin ? SemanticTokenModifiers.defaultLibrary : undefined });
                return;
            }
            case 'MemberExpr': {
                const sym = result.symbolOf(node);
                if (sym?.kind === 'lib-fn') accept({ node, property: 'member', type: SemanticTokenTypes.function });
                else if (sym?.kind === 'string-method') accept({ node, property: 'member', type: SemanticTokenTypes.method, modifier: SemanticTokenModifiers.defaultLibrary });
                return;
            }
            case 'IntLit': case 'FloatLit':
                accept({ node, property: 'value', type: SemanticTokenTypes.number });
                return;
        }
    }
}
