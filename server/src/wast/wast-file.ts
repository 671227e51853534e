// The structure of a Whamm .wast test: support modules and `(register ...)` commands, the module marked
// `;; @instrument`, then test cases, each a `;; WHAMM --> <script>` line followed by the assertions that
// must hold once the target module is instrumented with that script. `;; @passes_uninstr` before an
// assertion says it must also hold on the original module. A directive is a line comment whose text
// after `;;` starts with it, so commented-out lines (`;;;; WHAMM -->`, `;;(assert_return ...)`) stay inactive.
import { head, readSExprs, stringText, type SList, type SNode } from './sexpr.js';

export interface WastModule {
    line: number;
    /** `$name` given in `(module $name ...)`. */
    name?: string;
    node: SList;
    /** The source text of the whole `(module ...)` form. */
    text: string;
}

export interface WastRegister { kind: 'register'; line: number; as: string; module?: string }
export interface WastSupportModule { kind: 'module'; module: WastModule }
export type SetupCommand = WastRegister | WastSupportModule;

export interface WastAssertion {
    line: number;
    node: SList;
    /** Source text of the assertion, for messages. */
    text: string;
    passesUninstr: boolean;
}

export interface WastTestCase {
    line: number;
    script: string;
    assertions: WastAssertion[];
}

export interface WastFile {
    setup: SetupCommand[];
    target: WastModule;
    /** Assertions between the target module and the first WHAMM line: they concern the original module. */
    baseline: WastAssertion[];
    cases: WastTestCase[];
}

export class WastFormatError extends Error {
    constructor(message: string, readonly line: number) { super(`line ${line}: ${message}`); }
}

type Directive = { kind: 'instrument' | 'passes_uninstr'; line: number } | { kind: 'whamm'; line: number; script: string };

function directiveOf(text: string, line: number): Directive | undefined {
    // `text` is what follows the leading `;;`. A further `;` means the line is commented out.
    const t = text.replace(/^[ \t]*/, '');
    if (text.startsWith(';')) return undefined;
    if (/^@instrument\b/.test(t)) return { kind: 'instrument', line };
    if (/^@passes_uninstr\b/.test(t)) return { kind: 'passes_uninstr', line };
    const m = /^WHAMM -->(.*)$/.exec(t);
    if (m) return { kind: 'whamm', line, script: m[1].trim() };
    return undefined;
}

const ASSERTIONS = new Set(['assert_return', 'assert_trap', 'assert_exhaustion', 'assert_invalid', 'assert_malformed',
    'assert_unlinkable', 'assert_uninstantiable', 'invoke', 'get']);

export function parseWastFile(text: string): WastFile {
    const { forms, comments } = readSExprs(text);
    const directives = comments.map(c => ({ pos: c.start, d: directiveOf(c.text, c.line) }))
        .filter((x): x is { pos: number; d: Directive } => x.d !== undefined);
    const items: ({ pos: number; d: Directive } | { pos: number; form: SNode })[] = [
        ...directives, ...forms.map(form => ({ pos: form.start, form })),
    ].sort((a, b) => a.pos - b.pos);

    const setup: SetupCommand[] = [];
    let target: WastModule | undefined;
    const modules: WastModule[] = [];
    const baseline: WastAssertion[] = [];
    const cases: WastTestCase[] = [];
    let markInstrument = false;
    let markUninstr = false;

    for (const item of items) {
        if ('d' in item) {
            const d = item.d;
            if (d.kind === 'instrument') markInstrument = true;
            else if (d.kind === 'passes_uninstr') markUninstr = true;
            else if (d.kind === 'whamm') {
                if (!target && !markInstrument && modules.length === 0) throw new WastFormatError('WHAMM line before any module', d.line);
                cases.push({ line: d.line, script: d.script, assertions: [] });
            }
            continue;
        }
        const form = item.form;
        const op = head(form);
        if (form.kind !== 'list' || !op) throw new WastFormatError('expected a command like (module ...) or (assert_return ...)', form.line);
        if (op === 'module') {
            if (target) throw new WastFormatError('only the module marked ";; @instrument" may come after it', form.line);
            const nameAtom = form.items[1];
            const module: WastModule = {
                line: form.line, node: form, text: text.slice(form.start, form.end),
                name: nameAtom?.kind === 'atom' && nameAtom.text.startsWith('$') ? nameAtom.text : undefined,
            };
            if (markInstrument) target = module;
            else { modules.push(module); setup.push({ kind: 'module', module }); }
            markInstrument = false;
        } else if (op === 'register') {
            const as = stringText(form.items[1]);
            if (as === undefined) throw new WastFormatError('(register "name") needs a name', form.line);
            const m = form.items[2];
            if (target) throw new WastFormatError('(register ...) after the instrumented module is not supported', form.line);
            setup.push({ kind: 'register', line: form.line, as, module: m?.kind === 'atom' ? m.text : undefined });
        } else if (ASSERTIONS.has(op)) {
            const assertion: WastAssertion = {
                line: form.line, node: form, text: text.slice(form.start, form.end), passesUninstr: markUninstr,
            };
            markUninstr = false;
            if (cases.length) cases[cases.length - 1].assertions.push(assertion);
            else if (target) baseline.push(assertion);
            else throw new WastFormatError(`(${op} ...) before the module marked ";; @instrument"`, form.line);
        } else {
            throw new WastFormatError(`unsupported command (${op} ...)`, form.line);
        }
    }
    if (!target) {
        // A file with one module and no marker instruments that module.
        if (modules.length === 1 && setup.length === 1) {
            target = modules[0];
            setup.length = 0;
        } else {
            throw new WastFormatError('no module is marked ";; @instrument"', 1);
        }
    }
    return { setup, target, baseline, cases };
}
