// Runs a Whamm .wast test. Each test case gets a fresh world, as the reference harness gives each case a
// file of its own: the support modules are instantiated and registered in order, then the target module,
// instrumented with the case's script, and the case's assertions run against it in order. Each
// `@passes_uninstr` assertion also runs alone against a fresh instance of the original module.
// The instrumentation step is a parameter, so the harness does not depend on the engine.
import { head, stringText, type SList, type SNode } from './sexpr.js';
import { describeActual, describeExpected, matches, parseArg, parseExpected, type Expected } from './values.js';
import { parseWastFile, type WastAssertion, type WastFile, type WastModule, type WastTestCase } from './wast-file.js';
import { moduleFormToWasm } from './wat.js';
import { compileForEngine } from '../runner/engine-compile.js';

export interface InstrumentOptions {
    /** The reference's `--testing` mode: export `get_<var>` for every global script variable. */
    testing: true;
    /** Where the script came from, for messages: `file.wast:LINE`. */
    origin: string;
}

/** Instrumented bytes, plus whatever the instrumented module imports beyond the app's own imports. */
export type InstrumentOutput = Uint8Array | {
    bytes: Uint8Array;
    imports?: WebAssembly.Imports;
    /** Called with the instrumented instance (e.g. to hand its memory to the runtime). */
    onInstance?: (instance: WebAssembly.Instance) => void;
};

export type InstrumentFn = (app: Uint8Array, script: string, opts: InstrumentOptions) => InstrumentOutput | Promise<InstrumentOutput>;

export interface WastRunOptions {
    instrument: InstrumentFn;
    /** Name used in failure lines (default: the path given). */
    displayName?: string;
    /** Called with each failure line as it is found. */
    onFailure?: (line: string) => void;
    /** Called with each passing check, for --verbose. */
    onPass?: (line: string) => void;
    /**
     * Also check the test file against the original module, as the reference's harness does with its
     * "should fail" runs: each assertion alone on a fresh original instance must fail, unless it is marked
     * `@passes_uninstr`, in which case it must hold. Off by default: the reference never runs the
     * `@passes_uninstr` assertions themselves, and a few in its corpus do not hold on the original.
     */
    checkOriginal?: boolean;
    /** Called once per file when a module needed adapting to this engine (custom page sizes emulated). */
    onNote?: (line: string) => void;
}

export interface WastRunResult {
    passed: number;
    failed: number;
    failures: string[];
}

/** The standard `spectest` host module of wast scripts. */
function spectest(): WebAssembly.ModuleImports {
    const print = () => undefined;
    return {
        print, print_i32: print, print_i64: print, print_f32: print, print_f64: print, print_i32_f32: print, print_f64_f64: print,
        global_i32: new WebAssembly.Global({ value: 'i32', mutable: false }, 666),
        global_i64: new WebAssembly.Global({ value: 'i64', mutable: false }, 666n),
        global_f32: new WebAssembly.Global({ value: 'f32', mutable: false }, 666.6),
        global_f64: new WebAssembly.Global({ value: 'f64', mutable: false }, 666.6),
        table: new WebAssembly.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
        memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
    };
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
}

function errorText(e: unknown): string {
    if (e instanceof Error) return `${e.constructor.name === 'Error' ? '' : e.constructor.name + ': '}${e.message}`;
    return String(e);
}

interface World {
    /** The instance assertions talk to by default (the last one instantiated). */
    current?: WebAssembly.Instance;
    named: Map<string, WebAssembly.Instance>;
}

class Compiled {
    private readonly cache = new Map<WastModule, Promise<WebAssembly.Module>>();
    constructor(private readonly source: string, private readonly note?: (line: string) => void) {}
    bytes(m: WastModule): Promise<Uint8Array> { return moduleFormToWasm(m.node, this.source); }
    module(m: WastModule): Promise<WebAssembly.Module> {
        let p = this.cache.get(m);
        if (!p) { p = this.bytes(m).then(b => this.compile(b)); this.cache.set(m, p); }
        return p;
    }
    /** Compiles for this engine (custom page sizes lowered where it lacks them). */
    async compile(bytes: Uint8Array): Promise<WebAssembly.Module> {
        return (await compileForEngine(bytes, this.note)).module;
    }
}

function importsFor(module: WebAssembly.Module, registry: Map<string, WebAssembly.ModuleImports>, extra?: WebAssembly.Imports): WebAssembly.Imports {
    const imports: WebAssembly.Imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
        const ns = (extra?.[imp.module] as WebAssembly.ModuleImports | undefined) ?? registry.get(imp.module);
        if (!ns || !(imp.name in ns)) throw new WebAssembly.LinkError(`unknown import ${imp.module}.${imp.name}`);
        (imports[imp.module] ??= {})[imp.name] = ns[imp.name];
    }
    return imports;
}

/** Instantiates the support modules and applies the `(register ...)` commands. */
async function buildSetup(file: WastFile, compiled: Compiled): Promise<{ world: World; registry: Map<string, WebAssembly.ModuleImports> }> {
    const registry = new Map<string, WebAssembly.ModuleImports>([['spectest', spectest()]]);
    const world: World = { named: new Map() };
    for (const cmd of file.setup) {
        if (cmd.kind === 'module') {
            const module = await compiled.module(cmd.module);
            const instance = await WebAssembly.instantiate(module, importsFor(module, registry));
            world.current = instance;
            if (cmd.module.name) world.named.set(cmd.module.name, instance);
        } else {
            const instance = cmd.module ? world.named.get(cmd.module) : world.current;
            if (!instance) throw new Error(`line ${cmd.line}: (register) names no instantiated module`);
            registry.set(cmd.as, instance.exports as WebAssembly.ModuleImports);
        }
    }
    return { world, registry };
}

type ActionOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function runAction(action: SNode | undefined, world: World): ActionOutcome {
    if (!action || action.kind !== 'list') return { ok: false, error: new Error('missing action') };
    const op = head(action);
    let i = 1;
    let instance = world.current;
    const maybeName = action.items[1];
    if (maybeName?.kind === 'atom' && maybeName.text.startsWith('$')) {
        instance = world.named.get(maybeName.text);
        i++;
    }
    const name = stringText(action.items[i]);
    if (!instance) return { ok: false, error: new Error('no module instance to act on') };
    if (name === undefined) return { ok: false, error: new Error(`(${op} ...) needs an export name`) };
    const exp = (instance.exports as Record<string, unknown>)[name];
    if (op === 'get') {
        if (!(exp instanceof WebAssembly.Global)) return { ok: false, error: new Error(`no exported global "${name}"`) };
        return { ok: true, value: exp.value };
    }
    if (op !== 'invoke') return { ok: false, error: new Error(`unsupported action (${op} ...)`) };
    if (typeof exp !== 'function') return { ok: false, error: new Error(`no exported function "${name}"`) };
    try {
        const args = action.items.slice(i + 1).map(parseArg);
        return { ok: true, value: (exp as (...a: unknown[]) => unknown)(...args) };
    } catch (error) {
        return { ok: false, error };
    }
}

/** Checks one assertion against the world; returns undefined when it holds, else why not. */
async function checkAssertion(a: WastAssertion, world: World, compiled: Compiled, source: string, registry: Map<string, WebAssembly.ModuleImports>): Promise<string | undefined> {
    const node: SList = a.node;
    const op = head(node)!;
    switch (op) {
        case 'invoke': case 'get': {
            const r = runAction(node, world);
            return r.ok ? undefined : `trapped: ${errorText(r.error)}`;
        }
        case 'assert_return': {
            let expected: Expected[];
            try { expected = node.items.slice(2).map(parseExpected); } catch (e) { return errorText(e); }
            const r = runAction(node.items[1], world);
            if (!r.ok) return `expected ${expected.map(describeExpected).join(' ') || 'no result'}, got ${errorText(r.error)}`;
            const actual = expected.length === 1 ? [r.value] : expected.length === 0 ? (r.value === undefined ? [] : [r.value]) : r.value;
            if (!Array.isArray(actual) || actual.length !== expected.length || !expected.every((e, k) => matches(e, actual[k]))) {
                const shown = Array.isArray(actual) ? actual.map((v, k) => describeActual(v, expected[k])).join(' ') : describeActual(actual);
                return `expected ${expected.map(describeExpected).join(' ') || 'no result'}, got ${shown || 'no result'}`;
            }
            return undefined;
        }
        case 'assert_trap': case 'assert_exhaustion': {
            const target = node.items[1];
            if (target?.kind === 'list' && head(target) === 'module') {
                try {
                    const module = await compiled.compile(await moduleFormToWasm(target, source));
                    await WebAssembly.instantiate(module, importsFor(module, registry));
                    return 'expected instantiation to trap, but it succeeded';
                } catch (e) {
                    return e instanceof WebAssembly.RuntimeError || e instanceof RangeError ? undefined : `expected a trap, got ${errorText(e)}`;
                }
            }
            const r = runAction(target, world);
            if (r.ok) return `expected a trap (${stringText(node.items[2]) ?? ''}), got ${describeActual(r.value)}`;
            const wanted = op === 'assert_exhaustion' ? r.error instanceof RangeError : r.error instanceof WebAssembly.RuntimeError;
            return wanted ? undefined : `expected ${op === 'assert_exhaustion' ? 'stack exhaustion' : 'a trap'}, got ${errorText(r.error)}`;
        }
        case 'assert_invalid': case 'assert_malformed': case 'assert_unlinkable': case 'assert_uninstantiable': {
            const target = node.items[1];
            if (!target || target.kind !== 'list' || head(target) !== 'module') return `(${op} ...) needs a module`;
            let module: WebAssembly.Module;
            try {
                module = await compiled.compile(await moduleFormToWasm(target, source));
            } catch {
                return op === 'assert_invalid' || op === 'assert_malformed' ? undefined : 'the module failed to compile';
            }
            if (op === 'assert_invalid' || op === 'assert_malformed') return 'expected the module to be rejected, but it compiled';
            try {
                await WebAssembly.instantiate(module, importsFor(module, registry));
            } catch (e) {
                if (op === 'assert_unlinkable') return e instanceof WebAssembly.LinkError ? undefined : `expected a link error, got ${errorText(e)}`;
                return e instanceof WebAssembly.RuntimeError ? undefined : `expected a trap at instantiation, got ${errorText(e)}`;
            }
            return `expected instantiation to fail, but it succeeded`;
        }
        default:
            void compiled;
            return `unsupported assertion (${op} ...)`;
    }
}

async function instantiateTarget(bytes: Uint8Array, file: WastFile, compiled: Compiled, extra?: WebAssembly.Imports, onInstance?: (i: WebAssembly.Instance) => void): Promise<{ world: World; registry: Map<string, WebAssembly.ModuleImports> }> {
    const { world, registry } = await buildSetup(file, compiled);
    const module = await compiled.compile(bytes);
    const instance = await WebAssembly.instantiate(module, importsFor(module, registry, extra));
    onInstance?.(instance);
    world.current = instance;
    if (file.target.name) world.named.set(file.target.name, instance);
    return { world, registry };
}

/** Runs every test case of a .wast source text. Never throws for problems of the file: they are failures. */
export async function runWast(source: string, path: string, opts: WastRunOptions): Promise<WastRunResult> {
    const name = opts.displayName ?? path;
    const result: WastRunResult = { passed: 0, failed: 0, failures: [] };
    const fail = (line: number, what: string, why: string, count = 1) => {
        const text = `${name}:${line}: ${what}: ${why}`;
        result.failed += count;
        result.failures.push(text);
        opts.onFailure?.(text);
    };
    const pass = (line: number, what: string) => { result.passed++; opts.onPass?.(`${name}:${line}: ${what}: ok`); };

    let file: WastFile;
    try {
        file = parseWastFile(source);
    } catch (e) {
        fail((e as { line?: number }).line ?? 1, 'reading the wast file', errorText(e));
        return result;
    }
    let noted = false;
    const compiled = new Compiled(source, line => { if (!noted) { noted = true; opts.onNote?.(line); } });
    let original: Uint8Array;
    try {
        original = await compiled.bytes(file.target);
    } catch (e) {
        fail(file.target.line, 'the module marked @instrument', errorText(e), Math.max(1, countAssertions(file)));
        return result;
    }

    /** Each assertion alone against a fresh instance of the original; `mustHold` says what is expected. */
    const runOnOriginal = async (assertions: WastAssertion[], mustHold: (a: WastAssertion) => boolean) => {
        for (const a of assertions) {
            const what = oneLine(a.text);
            let why: string | undefined;
            try {
                const { world, registry } = await instantiateTarget(original, file, compiled);
                why = await checkAssertion(a, world, compiled, source, registry);
            } catch (e) {
                why = `instantiating the original module failed: ${errorText(e)}`;
            }
            if (mustHold(a)) {
                if (why) fail(a.line, `${what} [original module, @passes_uninstr]`, why); else pass(a.line, what);
            } else if (!why) {
                fail(a.line, `${what} [original module]`, 'holds on the original module too, so it tests nothing (mark it @passes_uninstr?)');
            } else {
                pass(a.line, what);
            }
        }
    };

    if (file.cases.length === 0) await runOnOriginal(file.baseline, () => true);
    // As in the reference, assertions before the first WHAMM line belong to the first test case.
    else file.cases[0].assertions.unshift(...file.baseline);

    for (const tc of file.cases) {
        await runCase(tc);
        if (opts.checkOriginal) await runOnOriginal(tc.assertions, a => a.passesUninstr);
    }
    return result;

    async function runCase(tc: WastTestCase): Promise<void> {
        const label = `[instrumented: WHAMM --> ${tc.script}]`;
        let out: InstrumentOutput;
        try {
            out = await opts.instrument(original.slice(), tc.script, { testing: true, origin: `${name}:${tc.line}` });
        } catch (e) {
            fail(tc.line, `WHAMM --> ${tc.script}`, `instrumentation failed: ${errorText(e)}` +
                (tc.assertions.length ? ` (${tc.assertions.length} assertion(s) not run)` : ''), Math.max(1, tc.assertions.length));
            return;
        }
        const bytes = out instanceof Uint8Array ? out : out.bytes;
        const extra = out instanceof Uint8Array ? undefined : out.imports;
        const onInstance = out instanceof Uint8Array ? undefined : out.onInstance;
        let world: World, registry: Map<string, WebAssembly.ModuleImports>;
        try {
            ({ world, registry } = await instantiateTarget(bytes, file, compiled, extra, onInstance));
        } catch (e) {
            fail(tc.line, `WHAMM --> ${tc.script}`, `the instrumented module failed to ${e instanceof WebAssembly.CompileError ? 'compile' : 'instantiate'}: ${errorText(e)}` +
                (tc.assertions.length ? ` (${tc.assertions.length} assertion(s) not run)` : ''), Math.max(1, tc.assertions.length));
            return;
        }
        if (tc.assertions.length === 0) { pass(tc.line, `WHAMM --> ${tc.script} (instantiates)`); return; }
        for (const a of tc.assertions) {
            const what = `${oneLine(a.text)} ${label}`;
            const why = await checkAssertion(a, world, compiled, source, registry);
            if (why) fail(a.line, what, why); else pass(a.line, what);
        }
    }
}

function countAssertions(file: WastFile): number {
    return file.baseline.length + file.cases.reduce((n, c) => n + c.assertions.length, 0);
}
