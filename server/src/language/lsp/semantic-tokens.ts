// Semantic highlighting: rule parts (provider/package as namespaces, the event as an event, the mode as a
// keyword-like modifier, type bounds as parameters and types), and names coloured by what they resolve to
// (bound variables as read-only default-library variables, functions, libraries, parameters).
import { AstUtils, type AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import type { Script } from '../generated/ast.js';
import { checkResultOf } from '../whamm-validator.js';

export class WhammSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected override highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        const doc = AstUtils.getDocument(node).textDocument;
        const result = checkResultOf(AstUtils.findRootNode(node) as Script);
        const range = (start: number, end: number) => ({ start: doc.positionAt(start), end: doc.positionAt(end) });
        switch (node.$type) {
            case 'Probe': {
                const info = result.probeInfo(node as never);
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
                acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration } as never);
                return;
            case 'Param':
                acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration } as never);
                return;
            case 'FnDef':
                acceptor({ node, property: 'name', type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.declaration } as never);
                return;
            case 'Use':
                acceptor({ node, property: 'name', type: SemanticTokenTypes.namespace, modifier: SemanticTokenModifiers.declaration } as never);
                return;
            case 'PrimType':
                acceptor({ node, property: 'name', type: SemanticTokenTypes.type } as never);
                return;
            case 'VarRef': {
                const sym = result.symbolOf(node);
                if (!sym) return;
                const cst = node.$cstNode;
                if (!cst) return;
                switch (sym.kind) {
                    case 'bound': acceptor({ cst, type: SemanticTokenTypes.variable, modifier: sym.isStatic ? [SemanticTokenModifiers.readonly, SemanticTokenModifiers.defaultLibrary] : [SemanticTokenModifiers.defaultLibrary] } as never); return;
                    case 'builtin': acceptor({ cst, type: SemanticTokenTypes.variable, modifier: [SemanticTokenModifiers.readonly, SemanticTokenModifiers.defaultLibrary] } as never); return;
                    case 'param': acceptor({ cst, type: SemanticTokenTypes.parameter } as never); return;
                    case 'library': acceptor({ cst, type: SemanticTokenTypes.namespace } as never); return;
                    case 'function': acceptor({ cst, type: SemanticTokenTypes.function } as never); return;
                    default: acceptor({ cst, type: SemanticTokenTypes.variable } as never); return;
                }
            }
            case 'CallExpr': {
                const sym = result.symbolOf(node);
                const builtin = sym?.kind === 'builtin-fn' || sym?.kind === 'bound-fn';
                acceptor({ node, property: 'callee', type: SemanticTokenTypes.function, modifier: builtin ? SemanticTokenModifiers.defaultLibrary : undefined } as never);
                return;
            }
            case 'MemberExpr': {
                const sym = result.symbolOf(node);
                if (sym?.kind === 'lib-fn') acceptor({ node, property: 'member', type: SemanticTokenTypes.function } as never);
                else if (sym?.kind === 'string-method') acceptor({ node, property: 'member', type: SemanticTokenTypes.method, modifier: SemanticTokenModifiers.defaultLibrary } as never);
                return;
            }
            case 'IntLit': case 'FloatLit':
                acceptor({ node, property: 'value', type: SemanticTokenTypes.number } as never);
                return;
        }
    }
}
