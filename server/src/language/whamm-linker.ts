// Links the only two kinds of cross-reference a script has (VarRef.ref, CallExpr.callee) with a plain
// recursive walk. Langium's generic linker streams every property of every node and polls for
// cancellation per node, which cost more than the lookups themselves on long scripts.
import { DefaultLinker, type AstNode, type LangiumDocument, type Reference } from 'langium';

export class WhammLinker extends DefaultLinker {
    /** Property names per AST type, from the generated reflection: cheaper than `for...in` over every node. */
    private readonly properties = new Map<string, string[]>();

    override async link(document: LangiumDocument): Promise<void> {
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
        visit(document.parseResult.value);
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
