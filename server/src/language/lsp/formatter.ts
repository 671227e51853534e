// Formatting: one item per line, bodies indented, one space around binary operators and `=`, none before
// `;` and `,`, one after `,` and `:`. Documents with syntax errors are left alone (a formatter must never
// make a broken file worse). The probe rule is a single token and is kept as written.
import { AbstractFormatter, Formatting, type NodeFormatter } from 'langium/lsp';
import { CstUtils, GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver';
import type * as ast from '../generated/ast.js';


export class WhammFormatter extends AbstractFormatter {
    override formatDocument(document: LangiumDocument, params: DocumentFormattingParams): TextEdit[] | Promise<TextEdit[]> {
        if (document.parseResult.parserErrors.length > 0 || document.parseResult.lexerErrors.length > 0) return [];
        return super.formatDocument(document, params) as TextEdit[];
    }

    protected override format(node: AstNode): void {
        const f = this.getNodeFormatter(node);
        switch (node.$type) {
            case 'Script': {
                const items = (node as ast.Script).items;
                if (items.length > 1) f.nodes(...items.slice(1)).prepend(Formatting.newLine({ allowMore: true }));
                break;
            }
            case 'Block': {
                const b = node as ast.Block;
                if (b.stmts.length === 0) break;
                const open = f.keyword('{');
                const close = f.keyword('}');
                f.interior(open, close).prepend(Formatting.indent());
                close.prepend(Formatting.newLine());
                break;
            }
            case 'Probe': {
                const p = node as ast.Probe;
                if (p.predicate) {
                    // Multi-line predicates keep their layout; only the delimiters get their spaces.
                    f.keyword('/', 0).prepend(Formatting.oneSpace());
                    f.keyword('/', 1).append(Formatting.oneSpace());
                    const open = GrammarUtils.findNodeForKeyword(node.$cstNode, '/', 0);
                    const close = GrammarUtils.findNodeForKeyword(node.$cstNode, '/', 1);
                    if (open && close && open.range.start.line === close.range.start.line) {
                        f.keyword('/', 0).append(Formatting.oneSpace());
                        f.keyword('/', 1).prepend(Formatting.oneSpace());
                    }
                } else {
                    f.property('body').prepend(Formatting.oneSpace());
                }
                break;
            }
            case 'FnDef': {
                this.commas(f);
                f.keyword('(').prepend(Formatting.noSpace()).append(Formatting.noSpace());
                f.keyword(')').prepend(Formatting.noSpace());
                f.keyword('->').surround(Formatting.oneSpace());
                f.property('body').prepend(Formatting.oneSpace());
                break;
            }
            case 'Param':
                f.keyword(':').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
                break;
            case 'VarDecl':
                f.keyword('var').append(Formatting.oneSpace());
                f.keyword(':').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
                f.keyword('=').surround(Formatting.oneSpace());
                f.keyword(';').prepend(Formatting.noSpace());
                break;
            case 'Assignment':
                f.keyword('=').surround(Formatting.oneSpace());
                f.keyword(';').prepend(Formatting.noSpace());
                break;
            case 'IncDec':
                f.keywords('++', '--').prepend(Formatting.noSpace());
                f.keyword(';').prepend(Formatting.noSpace());
                break;
            case 'ExprStmt': case 'ReturnStmt': case 'Use':
                f.keyword(';').prepend(Formatting.noSpace());
                break;
            case 'IfStmt': case 'Elif': {
                f.keywords('if', 'elif').append(Formatting.oneSpace());
                f.keyword('(').append(Formatting.noSpace());
                f.keyword(')').prepend(Formatting.noSpace());
                f.keywords('else', 'elif').prepend(Formatting.oneSpace());
                f.properties('then' as never, 'body' as never, 'else' as never).prepend(Formatting.oneSpace());
                break;
            }
            case 'BinaryExpr': {
                // Infix rules record the operator token under the grammar feature `operators`.
                // A line break next to an operator is kept (long conditions are split over lines on purpose).
                const ops = node.$cstNode ? [...CstUtils.streamCst(node.$cstNode)].filter(c =>
                    c.astNode === node && (c.grammarSource as { feature?: string } | undefined)?.feature === 'operators') : [];
                const text = node.$cstNode?.root.fullText ?? '';
                for (const op of ops) {
                    const region = f.cst([op]);
                    if (!/\n\s*$/.test(text.substring(Math.max(0, op.offset - 200), op.offset))) region.prepend(Formatting.oneSpace());
                    if (!/^\s*\n/.test(text.substring(op.end, op.end + 200))) region.append(Formatting.oneSpace());
                }
                break;
            }
                break;
            case 'TernaryExpr':
                f.keywords('?', ':').surround(Formatting.oneSpace());
                break;
            case 'CallExpr': case 'TupleExpr': case 'TupleType': case 'MapType':
                this.commas(f);
                if (node.$type === 'CallExpr') {
                    f.keyword('(').prepend(Formatting.noSpace()).append(Formatting.noSpace());
                    f.keyword(')').prepend(Formatting.noSpace());
                }
                break;
            case 'MemberExpr':
                this.commas(f);
                f.keyword('.').surround(Formatting.noSpace());
                break;
            case 'CastExpr':
                f.keyword('as').surround(Formatting.oneSpace());
                break;
        }
    }

    private commas(f: NodeFormatter<AstNode>): void {
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
    }
}
