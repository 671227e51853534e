// Links the only two kinds of cross-reference a script has (VarRef.ref, CallExpr.callee) with a plain
// recursive walk. Langium's generic linker streams every property of every node and polls for
// cancellation per node, which cost more than the lookups themselves on long scripts.
// The build does not link: the checker resolves names itself (bound variables and built-ins are not AST
// nodes), and go-to-definition and hover resolve the one reference they need on demand. Only
// find-references (and rename) needs every reference resolved, and links the whole document first
// (`linkAll`, once per parse). This keeps a re-validation after an edit from walking the whole script.
import { DefaultLinker, type AstNode, type LangiumDocument, type Reference } from 'langium';

const linked = new WeakSet<AstNode>();

export class WhammLinker extends DefaultLinker {
    /** Property names per AST type, from the generated reflection: cheaper than `for...in` over every node. */
    private readonly properties = new Map<string, string[]>();

    override async link(): Promise<void> {
        // On demand (see the header comment).
    }

    /** Resolves every reference of the document (once per parse), so that `document.references` holds them all. */
    linkAll(document: LangiumDocument): void {
        const root = document.parseResult.value;
        if (linked.has(root)) return;
        linked.add(root);
        const visit = (node: AstNode): void => {
            if (node.$type === 'VarRef') {
                const reference = (node as AstNode & { ref: Reference }).ref;
                if (reference) this.doLink({ reference, container: node, property: 'ref' }, document);
                return;
            } else if (node.$type === 'CallExpr') {
                const reference = (node as AstNode & { callee: Reference }).callee;
                if (reference) this.doLink({ reference, container: node, property: 'callee' }, document);
            }
            for (const key of this.propertiesOf(node.$type)) {
                const value = (node as unknown as Record<string, unknown>)[key];
                if (Array.isArray(value)) {
                    for (const v of value) if (v && typeof v === 'object' && '$type' in v) visit(v as AstNode);
                } else if (value && typeof value === 'object' && '$type' in value) {
                    visit(value as AstNode);
                }
            }
        };
        visit(root);
    }

    private propertiesOf(type: string): string[] {
        let names = this.properties.get(type);
        if (!names) {
            names = Object.keys(this.reflection.getTypeMetaData(type).properties);
            this.properties.set(type, names);
        }
        return names;
    }
}
