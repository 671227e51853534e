// Scripts never refer to each other (nothing is exported, see whamm-scope.ts), so an edit in one document
// never requires relinking another. Langium's default relinks every open document that has unresolved
// references — and every script "has" them, since bound variables and built-ins are not AST nodes — which
// made each keystroke re-validate all open scripts.
import { DefaultDocumentBuilder, type LangiumDocument, type URI } from 'langium';

export class WhammDocumentBuilder extends DefaultDocumentBuilder {
    protected override shouldRelink(_document: LangiumDocument, _changedUris: Set<string>): boolean {
        return false;
    }
}
export type { URI };
