// Scripts are independent: nothing is exported to other documents, so a name in one open `.mm` file never
// resolves to a declaration in another. Script-level declarations are local symbols of the Script node.
import {
    AstUtils, CstUtils, DefaultScopeComputation, EMPTY_SCOPE, GrammarUtils, MultiMap, stream, type AstNode,
    type AstNodeDescription, type AstNodeLocator, type DocumentSegment, type LangiumCoreServices, type LangiumDocument,
    type LocalSymbols, type ReferenceInfo, type Scope, type ScopeProvider, type Stream,
} from 'langium';
import type { Block, IfStmt, NamedElement, Script } from './generated/ast.js';

export class WhammScopeComputation extends DefaultScopeComputation {
    override async collectExportedSymbols(): Promise<AstNodeDescription[]> {
        return [];
    }

    /**
     * Computed on first use: only go-to-definition, hover and find-references look names up through Langium's
     * scopes (the checker resolves names itself), so a re-validation after an edit does not walk the script.
     */
    override async collectLocalSymbols(document: LangiumDocument): Promise<LocalSymbols> {
        let symbols: MultiMap<AstNode, AstNodeDescription> | undefined;
        const get = () => symbols ??= this.computeLocalSymbols(document);
        return { has: node => get().has(node), getStream: node => get().getStream(node) };
    }

    /**
     * Declarations only occur as script items, function parameters and block statements, so only those are
     * visited (not every expression node), and descriptions compute their path and segments on demand.
     */
    private computeLocalSymbols(document: LangiumDocument): MultiMap<AstNode, AstNodeDescription> {
        const symbols = new MultiMap<AstNode, AstNodeDescription>();
        const add = (container: AstNode, node: NamedElement) => {
            if (node.name) symbols.add(container, this.describe(node, document));
        };
        const block = (b: Block | undefined) => {
            if (!b) return;
            for (const st of b.stmts) {
                if (st.$type === 'VarDecl') add(b, st);
                else if (st.$type === 'Block') block(st);
                else if (st.$type === 'IfStmt') ifStmt(st);
            }
        };
        const ifStmt = (st: IfStmt) => {
            block(st.then);
            for (const e of st.elifs) block(e.body);
            block(st.else);
            if (st.elseIf) ifStmt(st.elseIf);
        };
        const script = document.parseResult.value as Script;
        for (const item of script.items) {
            switch (item.$type) {
                case 'Use': case 'VarDecl': add(script, item); break;
                case 'FnDef':
                    add(script, item);
                    for (const p of item.params) add(item, p);
                    block(item.body);
                    break;
                case 'Probe': block(item.body); break;
                case 'Block': block(item); break;
                case 'IfStmt': ifStmt(item); break;
            }
        }
        return symbols;
    }

    private describe(node: NamedElement, document: LangiumDocument): AstNodeDescription {
        const locator = this.locator;
        let path: string | undefined;
        let nameSegment: DocumentSegment | undefined;
        return {
            node, name: node.name, type: node.$type, documentUri: document.uri,
            get path() { return path ??= locator.getAstNodePath(node); },
            get nameSegment() {
                const cst = node.$cstNode ? GrammarUtils.findNodeForProperty(node.$cstNode, 'name') ?? node.$cstNode : undefined;
                return nameSegment ??= cst ? CstUtils.toDocumentSegment(cst) : undefined;
            },
            get selectionSegment() { return node.$cstNode ? CstUtils.toDocumentSegment(node.$cstNode) : undefined; },
        };
    }

    private readonly locator: AstNodeLocator;

    constructor(services: LangiumCoreServices) {
        super(services);
        this.locator = services.workspace.AstNodeLocator;
    }
}

/**
 * Name lookup through a chain of per-container maps, built once per container and document version.
 * Langium's default scans every visible symbol linearly for each reference, which is quadratic in the
 * size of a long script (hundreds of globals and functions, thousands of references).
 */
class MapChainScope implements Scope {
    constructor(private readonly names: ReadonlyMap<string, AstNodeDescription>, private readonly outer: Scope) {}
    getElement(name: string): AstNodeDescription | undefined {
        return this.names.get(name) ?? this.outer.getElement(name);
    }
    getElements(name: string): Stream<AstNodeDescription> {
        const own = this.names.get(name);
        return own ? stream([own]).concat(this.outer.getElements(name)) : this.outer.getElements(name);
    }
    getAllElements(): Stream<AstNodeDescription> {
        return stream(this.names.values()).concat(this.outer.getAllElements());
    }
}

export class WhammScopeProvider implements ScopeProvider {
    /**
     * Per build (its local symbols), keyed by declaration containers only (script, functions, blocks): one
     * entry per scope, not per reference. Per build because an incremental parse keeps unchanged items'
     * nodes, whose scopes' outer chain and declarations may have changed.
     */
    private readonly caches = new WeakMap<LocalSymbols, WeakMap<AstNode, Scope>>();

    getScope(context: ReferenceInfo): Scope {
        return this.scopeOf(context.container, AstUtils.getDocument(context.container).localSymbols);
    }

    private scopeOf(node: AstNode | undefined, symbols: LocalSymbols | undefined): Scope {
        // Nodes without declarations of their own see their nearest declaring ancestor's scope.
        while (node && !symbols?.has(node)) node = node.$container;
        if (!node || !symbols) return EMPTY_SCOPE;
        let cache = this.caches.get(symbols);
        if (!cache) { cache = new WeakMap(); this.caches.set(symbols, cache); }
        const cached = cache.get(node);
        if (cached) return cached;
        const names = new Map<string, AstNodeDescription>();
        // The first declaration wins, as in Langium's stream scope; duplicates are reported by the checker.
        for (const d of symbols.getStream(node)) if (!names.has(d.name)) names.set(d.name, d);
        const scope = new MapChainScope(names, this.scopeOf(node.$container, symbols));
        cache.set(node, scope);
        return scope;
    }
}
