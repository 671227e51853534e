// The dry run: for a script and an app, the plan of injections — every match site (function, pc, opidx,
// probe, rule, the instruction, its source line), every injected code fragment (where it goes, which probe
// it comes from, its instructions as text) and what the module gains (imports, functions, globals,
// exports) — from the engine's own placement pass, with no module encoded. `whamm instr --dry-run --json`
// prints it; the language server's preview (document.ts) is built on it.
import { GrammarUtils } from 'langium';
import { instrumentProgram, libraryResolver, ScriptError } from '../engine/instrument.js';
import type { PlanSink, PlannedAdditions } from '../engine/instrument-api.js';
import type { DecodedApp } from '../engine/app-codec.js';
import { buildScriptModel, type ProbeDef, type ScriptModel } from '../engine/script.js';
import type { SiteTable } from '../engine/site-table.js';
import { buildProgram } from '../frontend/program.js';
import type { SourceMapper } from '../mapping/index.js';
import { cursorOf, decodeModule, readImms, readOp, Reader, type WasmModule } from '../wasm/index.js';
import { instrText, printFragment, sanitizeId, type FuncNamer } from '../wasm/wat-print.js';
import type { DryRunPlan, InjectionWhere, PlanInjection, PlanProbe, PlanSite, ScriptRange } from '../protocol.js';
import { noMatchReasons } from './no-match.js';
import { namesOf } from './app-index.js';

export interface DryRunInput {
    app: Uint8Array;
    appPath: string;
    script: string;
    scriptPath?: string;
    userLibs?: Map<string, Uint8Array>;
    /** At most this many sites are listed (counts stay exact). Default 20000. */
    siteLimit?: number;
    /** Source locations for the sites (DWARF or a source map). */
    mapper?: SourceMapper;
    /** The decoded app, when the caller keeps one (reused by the engine too). */
    decoded?: DecodedApp;
    module?: WasmModule;
}

/** One placed fragment: `frag` indexes the pass's distinct fragments (most sites of a probe get the same bytes). */
interface RawInjection { fid: number; opidx: number; where: InjectionWhere; probe: number; frag: number }

/** Distinct byte strings, each kept once (found again by a hash of the bytes). */
class Fragments {
    readonly list: Uint8Array[] = [];
    private readonly byHash = new Map<number, number[]>();
    add(code: Uint8Array): number {
        let h = 0x811c9dc5;
        for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code[i], 0x01000193);
        let same = this.byHash.get(h);
        if (same) {
            for (const k of same) if (equalBytes(this.list[k], code)) return k;
        } else this.byHash.set(h, same = []);
        same.push(this.list.length);
        this.list.push(code.slice());
        return this.list.length - 1;
    }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}

const NO_RANGE: ScriptRange = { line: 0, character: 0, endLine: 0, endCharacter: 0 };

function rangeOf(node: { $cstNode?: { range: { start: { line: number; character: number }; end: { line: number; character: number } } } } | undefined): ScriptRange | undefined {
    const r = node?.$cstNode?.range;
    return r ? { line: r.start.line, character: r.start.character, endLine: r.end.line, endCharacter: r.end.character } : undefined;
}

function emptyPlan(app: string, error: string): DryRunPlan {
    return {
        app, probes: [], sites: [], sitesTruncated: false, injections: [],
        added: { imports: [], functions: [], globals: [], exports: [] }, warnings: [], mapping: 'none', error,
    };
}

/**
 * What one placement pass produced, before any of it is turned into text: the site table, the injected
 * bytes, what the module gains. The language server keeps it per script text and materialises only the
 * part an answer shows (the sites and injections of the functions printed in full).
 */
export interface PlanPass {
    m: WasmModule;
    model: ScriptModel;
    appPath: string;
    mapper?: SourceMapper;
    sites: SiteTable;
    warnings: string[];
    raw: RawInjection[];
    fragments: Uint8Array[];
    added: PlannedAdditions;
    /** Sites per probe (exact). */
    counts: number[];
}

export interface MaterializeOptions {
    /** At most this many sites are listed in all (counts stay exact). Default 20000. */
    siteLimit?: number;
    /** ...and at most this many per probe. */
    perProbeLimit?: number;
    /** Only the sites and injections of these functions (counts stay exact). */
    functions?: ReadonlySet<number>;
}

/** The placement pass of a script on an app, or the plan that says why there is none. */
export async function planPass(input: DryRunInput): Promise<{ pass?: PlanPass; plan?: DryRunPlan; module?: WasmModule }> {
    const file = input.scriptPath ?? 'script.mm';
    let m: WasmModule;
    try {
        m = input.decoded?.module ?? input.module ?? decodeModule(input.app);
    } catch (e) {
        return { plan: emptyPlan(input.appPath, `cannot decode the app: ${(e as Error).message}`) };
    }
    // One front-end pass: the checked program is what the engine compiles (no second parse).
    let program;
    try {
        program = await buildProgram(input.script, { file, libraries: libraryResolver(input.userLibs) });
    } catch (e) {
        return { plan: emptyPlan(input.appPath, `instrumentation failed: ${(e as Error).message}`), module: m };
    }
    if (program.errors.length) {
        const text = program.errors.map(d => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${typeof d.message === 'string' ? d.message : String(d.message)}`).join('\n');
        return { plan: { ...emptyPlan(input.appPath, text), scriptErrors: true }, module: m };
    }
    const model = buildScriptModel(program);

    const raw: RawInjection[] = [];
    const fragments = new Fragments();
    let added: PlannedAdditions | undefined;
    const sink: PlanSink = {
        inject: (fid, opidx, where, probe, code) => { raw.push({ fid, opidx, where, probe, frag: fragments.add(code) }); },
        added: a => { added = a; },
    };
    let result;
    try {
        result = await instrumentProgram(program, { app: input.app, scriptPath: input.scriptPath, userLibs: input.userLibs, plan: sink, dryRun: true, decoded: input.decoded });
    } catch (e) {
        if (e instanceof ScriptError) return { plan: { ...emptyPlan(input.appPath, e.message), scriptErrors: true }, module: m };
        return { plan: emptyPlan(input.appPath, `instrumentation failed: ${(e as Error).message}`), module: m };
    }
    const t = result.sites;
    const counts = new Array<number>(model.probes.length).fill(0);
    for (let i = 0; i < t.length; i++) counts[t.probe[i]]++;
    return {
        pass: {
            m, model, appPath: input.appPath, mapper: input.mapper, sites: t, warnings: result.warnings, raw, fragments: fragments.list, counts,
            added: added ?? { imports: [], functions: [], globals: [], exports: [] },
        },
        module: m,
    };
}

export async function dryRun(input: DryRunInput): Promise<{ plan: DryRunPlan; module?: WasmModule }> {
    const r = await planPass(input);
    if (!r.pass) return { plan: r.plan!, module: r.module };
    return { plan: materialize(r.pass, { siteLimit: input.siteLimit }), module: r.module };
}

/** Per function: its sites and its injections (with the injected lines each takes when printed). */
export interface PassCounts { sites: Map<number, number>; injections: Map<number, number>; injectedLines: Map<number, number> }

const COUNTS = new WeakMap<PlanPass, PassCounts>();
const TEXTS = new WeakMap<PlanPass, (frag: number) => string[]>();

export function passCounts(pass: PlanPass): PassCounts {
    let c = COUNTS.get(pass);
    if (c) return c;
    c = { sites: new Map(), injections: new Map(), injectedLines: new Map() };
    const fids = pass.sites.fid;
    for (const f of fids) c.sites.set(f, (c.sites.get(f) ?? 0) + 1);
    const text = fragmentText(pass);
    for (const x of pass.raw) {
        c.injections.set(x.fid, (c.injections.get(x.fid) ?? 0) + 1);
        c.injectedLines.set(x.fid, (c.injectedLines.get(x.fid) ?? 0) + Math.max(1, text(x.frag).length));
    }
    COUNTS.set(pass, c);
    return c;
}

/**
 * Injected code as text, each distinct fragment printed once (its lines shared, read-only, by the
 * injections). Function indices are the output module's (added imports come after the app's).
 */
function fragmentText(pass: PlanPass): (frag: number) => string[] {
    let f = TEXTS.get(pass);
    if (f) return f;
    const { m, added: a } = pass;
    const names = namesOf(m);
    const nImp = m.numImportedFuncs, k = a.imports.length, nApp = m.funcTypes.length;
    const namer: FuncNamer = {
        func: i => i < nImp ? names.func(i)
            : i < nImp + k ? `$${sanitizeId(`${a.imports[i - nImp].module}.${a.imports[i - nImp].name}`)}`
                : i < nApp + k ? names.func(i - k) : String(i),
    };
    const printed: string[][] = [];
    f = (frag: number): string[] => (printed[frag] ??= printFragment(pass.fragments[frag], namer));
    TEXTS.set(pass, f);
    return f;
}

/** The plan of a pass as the dry run prints it (the sites and injections of some functions only, on request). */
export function materialize(pass: PlanPass, o: MaterializeOptions = {}): DryRunPlan {
    const { m, model, counts } = pass;
    const only = o.functions;
    // Sites, with the instruction text and the source line.
    const names = namesOf(m);
    const limit = o.siteLimit ?? 20000;
    const perProbe = o.perProbeLimit ?? Number.MAX_SAFE_INTEGER;
    const t = pass.sites;
    const listed = new Array<number>(model.probes.length).fill(0);
    const sites: PlanSite[] = [];
    const locator = pass.mapper?.locator();
    const r = new Reader(m.bytes);
    const fidCol = t.fid, probeCol = t.probe;
    let wanted = 0;
    for (let i = 0; i < t.length && sites.length < limit; i++) {
        if (only && !only.has(fidCol[i])) continue;
        wanted++;
        if (listed[probeCol[i]] >= perProbe) continue;
        listed[probeCol[i]]++;
        const s = t.get(i);
        r.pos = s.offset;
        let text = '';
        try { const op = readOp(r); const imms = readImms(r, op); text = instrText(op, imms, m.bytes, r.pos, names); } catch { text = '?'; }
        const site: PlanSite = { fid: s.fid, fname: names.display(s.fid), pc: s.pc, opidx: s.opidx, offset: s.offset, probe: s.probe, rule: s.rule, instr: text };
        if (locator?.at(s.offset)) { site.file = locator.file; site.line = locator.line; site.column = locator.column; }
        sites.push(site);
    }
    let truncated = sites.length < wanted;
    if (!only) truncated = t.length > sites.length;

    const a = pass.added;
    const nImp = m.numImportedFuncs, k = a.imports.length, nApp = m.funcTypes.length;
    const pcs = new Map<number, Int32Array>();
    const pcOf = (fid: number, opidx: number): number => {
        let arr = pcs.get(fid);
        if (!arr) {
            const c = cursorOf(m, fid);
            const list: number[] = [];
            while (c.next()) list.push(c.pc);
            pcs.set(fid, arr = Int32Array.from(list));
        }
        return arr[opidx] ?? -1;
    };
    const textOf = fragmentText(pass);
    const injections: PlanInjection[] = [];
    for (const x of pass.raw) {
        if (only && !only.has(x.fid)) continue;
        injections.push({ fid: x.fid, opidx: x.opidx, pc: pcOf(x.fid, x.opidx), where: x.where, probe: x.probe, code: textOf(x.frag) });
    }

    const perProbeInj = new Array<number>(model.probes.length).fill(0);
    for (const x of pass.raw) if (x.probe >= 0) perProbeInj[x.probe]++;
    const reasons = noMatchReasons(m, model.probes, counts);
    const probes: PlanProbe[] = model.probes.map((p: ProbeDef) => {
        // The editor's ranges come from the syntax tree the front-end keeps beside the IR.
        const info = model.program.probes[p.index];
        const ast = info.probe;
        const ruleNode = ast.$cstNode ? GrammarUtils.findNodeForProperty(ast.$cstNode, 'rule') : undefined;
        const rr = ruleNode?.range;
        const pp: PlanProbe = {
            index: p.index, rule: ast.rule ?? '', mode: info.rule.parts.length >= 4 ? info.rule.parts[3].glob : '',
            range: rangeOf(ast) ?? NO_RANGE,
            ruleRange: rr ? { line: rr.start.line, character: rr.start.character, endLine: rr.end.line, endCharacter: rr.end.character } : rangeOf(ast) ?? NO_RANGE,
            sites: counts[p.index], injections: perProbeInj[p.index],
        };
        const pred = rangeOf(ast.predicate as never);
        if (pred) pp.predicate = pred;
        const why = reasons.get(p.index);
        if (why) pp.noMatch = why;
        return pp;
    });
    return {
        app: pass.appPath, probes, sites, sitesTruncated: truncated, injections,
        added: {
            imports: a.imports.map((x, i) => ({ index: nImp + i, module: x.module, name: x.name })),
            functions: a.functions.map((x, i) => ({ index: nApp + k + i, params: x.params, results: x.results, instrs: printFragment(x.body).length })),
            globals: a.globals.map((x, i) => ({ index: m.globals.length + i, type: x.type, mutable: x.mutable })),
            exports: a.exports,
        },
        warnings: pass.warnings, mapping: pass.mapper?.kind ?? 'none',
    };
}
