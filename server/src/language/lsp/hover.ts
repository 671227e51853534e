// Hover: the type and documentation of what is under the cursor — bound variables (with their events and
// whether they are static), script variables (storage and type), functions, built-ins, library calls, and
// inside a probe rule the provider/package/event/mode part under the cursor.
import { CstUtils, type LangiumDocument } from 'langium';
import type { HoverProvider } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import { signatureText } from '../../frontend/builtins.js';
import { catalogView } from '../../frontend/catalog-view.js';
import type { ScriptSymbol } from '../../frontend/symbols.js';
import { typeToString } from '../../frontend/types.js';
import { globMatch } from '../../catalog/index.js';
import { isProbe, type Script } from '../generated/ast.js';
import { checkResultOf } from '../whamm-validator.js';

export class WhammHoverProvider implements HoverProvider {
    getHoverContent(document: LangiumDocument, params: HoverParams): Hover | undefined {
        const root = document.parseResult.value.$cstNode;
        if (!root) return undefined;
        const offset = document.textDocument.offsetAt(params.position);
        const leaf = CstUtils.findLeafNodeAtOffset(root, offset);
        if (!leaf) return undefined;
        const script = document.parseResult.value as Script;
        const result = checkResultOf(script);
        const range = leaf.range;
        const node = leaf.astNode;
        if (isProbe(node) && leaf.tokenType?.name === 'PROBE_RULE') {
            const text = ruleHover(result.probeInfo(node), offset - leaf.offset);
            return text ? { contents: { kind: 'markdown', value: text }, range } : undefined;
        }
        // A reference (VarRef / CallExpr / lib call / string method) or a declaration name.
        const sym: ScriptSymbol | undefined = result.symbolOf(node) ?? result.declared(node);
        if (!sym) return undefined;
        return { contents: { kind: 'markdown', value: describe(sym) }, range };
    }
}

function code(s: string): string {
    return '```whamm\n' + s + '\n```';
}

export function describe(sym: ScriptSymbol): string {
    switch (sym.kind) {
        case 'global': case 'report': case 'unshared': case 'local': {
            const prefix = sym.kind === 'report' ? 'report var' : sym.kind === 'unshared' ? 'unshared var' : 'var';
            const where = sym.kind === 'local' ? 'Local: re-initialised at every execution.'
                : sym.kind === 'global' ? 'Global: one instance for the whole run.'
                : sym.perSite ? `${sym.kind === 'report' ? 'Report variable, one' : 'One'} instance per match site, kept across executions.`
                : 'Report variable: one instance, flushed at the end of the run.';
            return `${code(`${prefix} ${sym.name}: ${typeToString(sym.type)}`)}\n${where}`;
        }
        case 'param': return code(`(param) ${sym.name}: ${typeToString(sym.type)}`);
        case 'function': {
            const params = sym.decl.params.map((p, i) => ({ name: p.name, type: sym.params[i] }));
            return code(`fn ${signatureText(sym.name, params, sym.result, typeToString)}`);
        }
        case 'library': return `${code(`use ${sym.name};`)}\nUser library, given to the CLI as \`--user-libs ${sym.name}=PATH\`.`;
        case 'bound': {
            const doc = sym.defs.find(d => d.doc)?.doc;
            const kind = sym.isStatic ? 'static: known at instrumentation time' : 'dynamic: read at run time';
            const bound = sym.typeBound ? ` (type from the bound \`${sym.typeBound.name}: ${sym.typeBound.type}\`)` : '';
            return `${code(`${sym.name}: ${typeToString(sym.type)}`)}\nBound variable, ${kind}${bound}.${doc ? `\n\n${doc}` : ''}`;
        }
        case 'bound-fn':
            return `${code(signatureText(sym.name, sym.def.params, sym.def.result, typeToString))}\nBound function.${sym.def.doc ? `\n\n${sym.def.doc}` : ''}`;
        case 'builtin': return `${code(`${sym.name}: ${typeToString(sym.type)}`)}\n${sym.def.doc}`;
        case 'builtin-fn': case 'string-method':
            return `${code(signatureText(sym.name, sym.def.params, sym.def.result, typeToString))}\n${sym.def.doc}`;
        case 'lib-fn': {
            const sig = sym.signature;
            const text = sig
                ? `${sym.lib.name}.${sym.name}(${sig.params.map(typeToString).join(', ')})${sig.results.length ? ' -> ' + sig.results.map(typeToString).join(', ') : ''}`
                : `${sym.lib.name}.${sym.name}(...)`;
            return `${code(text)}\nExport \`${sym.name}\` of the user library \`${sym.lib.name}\`.`;
        }
    }
}

function ruleHover(info: ReturnType<ReturnType<typeof checkResultOf>['probeInfo']>, at: number): string | undefined {
    if (!info) return undefined;
    const part = info.rule.parts.find(p => at >= p.start && at <= p.end);
    if (!part) return undefined;
    const catalog = catalogView();
    const events = [...new Set(info.matches.map(m => m.event))];
    switch (part.role) {
        case 'event': case 'package': {
            if (part.role === 'package' && events.some(e => e.parts.length > 2)) break;
            if (events.length === 1) {
                const e = events[0];
                const vars = e.vars.map(v => `\`${v.name}${v.indexed ? 'N' : ''}: ${typeToString(v.type)}\``).join(', ');
                return [`**${e.rule}**`, e.doc ?? '', e.modes.length ? `Modes: ${e.modes.join(', ')}` : '', vars ? `Bound: ${vars}` : '']
                    .filter(Boolean).join('\n\n');
            }
            const names = events.map(e => e.parts[e.parts.length - 1]);
            return `\`${part.glob || '*'}\` matches ${names.length} event${names.length === 1 ? '' : 's'}: ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', ...' : ''}`;
        }
        case 'mode': {
            const modes = catalog.modes.filter(m => globMatch(part.glob, m));
            return modes.map(m => `**${m}**: ${catalog.modeDoc(m) ?? ''}`).join('\n\n');
        }
        default: break;
    }
    const matched = info.matches.length;
    return `\`${info.rule.text}\` applies to ${matched} event/mode pair${matched === 1 ? '' : 's'}.`;
}
