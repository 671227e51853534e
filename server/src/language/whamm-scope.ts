// Scripts are independent: nothing is exported to other documents, so a name in one open `.mm` file never
// resolves to a declaration in another. Script-level declarations are local symbols of the Script node.
import { DefaultScopeComputation, type AstNodeDescription } from 'langium';

export class WhammScopeComputation extends DefaultScopeComputation {
    override async collectExportedSymbols(): Promise<AstNodeDescription[]> {
        return [];
    }
}
