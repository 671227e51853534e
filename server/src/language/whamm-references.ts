// Find-references without a workspace index of references: scripts never refer to each other, so the
// references to a declaration are found on demand in its own document (after linking, `document.references`
// holds every cross-reference). This lets the build skip indexing every reference of every edit, which was
// a quarter of the re-validation time of a long script.
import {
    AstUtils, DefaultReferences, DefaultReferenceDescriptionProvider, stream, type AstNode, type ReferenceDescription,
    type Stream,
} from 'langium';
import type { FindReferencesOptions, LangiumCoreServices } from 'langium';
import type { WhammLinker } from './whamm-linker.js';

export class WhammReferences extends DefaultReferences {
    private readonly linker: WhammLinker;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.linker = services.references.Linker as WhammLinker;
    }

    override findReferences(targetNode: AstNode, options: FindReferencesOptions): Stream<ReferenceDescription> {
        const refs: ReferenceDescription[] = options.includeDeclaration ? [...this.getSelfReferences(targetNode)] : [];
        const doc = AstUtils.getDocument(targetNode);
        if (!options.documentUri || options.documentUri.toString() === doc.uri.toString()) {
            this.linker.linkAll(doc);
            const targetPath = this.nodeLocator.getAstNodePath(targetNode);
            for (const ref of doc.references) {
                if (!('ref' in ref) || ref.ref !== targetNode || !ref.$refNode) continue;
                refs.push({
                    sourceUri: doc.uri, sourcePath: '', targetUri: doc.uri, targetPath,
                    segment: { offset: ref.$refNode.offset, end: ref.$refNode.end, length: ref.$refNode.length, range: ref.$refNode.range },
                    local: true,
                });
            }
        }
        return stream(refs);
    }
}

export class WhammReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
    override async createDescriptions(): Promise<ReferenceDescription[]> {
        return [];
    }
}
