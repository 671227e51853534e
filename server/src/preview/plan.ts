// The dry run: for a script and an app, the plan of injections — every match site (function, pc, opidx,
// probe, rule, the instruction, its source line), every injected code fragment (where it goes, which probe
// it comes from, its instructions as text) and what the module gains (imports, functions, globals,
// exports) — from the engine's own placement pass, with no module encoded. `whamm instr --dry-run --json`
// prints it; the language server's preview (document.ts) is built on it.
import { GrammarUtils } from 'langium';
import { instrumentProgram, libraryResolver, ScriptError } from '../engine/instrument.js';
import type { PlanSink, PlannedAdditions } from '../engine/instrument-api.js';
import type { DecodedApp } from '../engine/app-codec.js';
import { buildScriptModel, type ProbeDef } from '../engine/script.js';
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

interface RawInjection { fid: number; opidx: number; where: InjectionWhere; probe: number; code: Uint8Array }

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

export async function dryRun(input: DryRunInput): Promise<{ plan: DryRunPlan; module?: WasmModule }> {
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
    let added: PlannedAdditions | undefined;
    const sink: PlanSink = {
        inject: (fid, opidx, where, probe, code) => { raw.push({ fid, opidx, where, probe, code: code.slice() }); },
        added: a => { added = a; },
    };
    let result;
    try {
        result = await instrumentProgram(program, { app: input.app, scriptPath: input.scriptPath, userLibs: input.userLibs, plan: sink, dryRun: true, decoded: input.decoded });
    } catch (e) {
        if (e instanceof ScriptError) return { plan: { ...emptyPlan(input.appPath, e.message), scriptErrors: true }, module: m };
        return { plan: emptyPlan(input.appPath, `instrumentation failed: ${(e as Error).message}`), module: m };
    }

    // Sites, with the instruction text and the source line.
    const names = namesOf(m);
    const limit = input.siteLimit ?? 20000;
    const t = result.sites;
    const counts = new Array<number>(model.probes.length).fill(0);
    for (let i = 0; i < t.length; i++) counts[t.probe[i]]++;
    const sites: PlanSite[] = [];
    const locator = input.mapper?.locator();
    const r = new Reader(m.bytes);
    for (let i = 0; i < t.length && sites.length < limit; i++) {
        const s = t.get(i);
        r.pos = s.offset;
        let text = '';
        try { const op = readOp(r); const imms = readImms(r, op); text = instrText(op, imms, m.bytes, r.pos, names); } catch { text = '?'; }
        const site: PlanSite = { fid: s.fid, fname: names.display(s.fid), pc: s.pc, opidx: s.opidx, offset: s.offset, probe: s.probe, rule: s.rule, instr: text };
        if (locator?.at(s.offset)) { site.file = locator.file; site.line = locator.line; site.column = locator.column; }
        sites.push(site);
    }

    // Injected code: function indices are the output module's (added imports come after the app's).
    const a = added ?? { imports: [], functions: [], globals: [], exports: [] };
    const nImp = m.numImportedFuncs, k = a.imports.length, nApp = m.funcTypes.length;
    const namer: FuncNamer = {
        func: f => f < nImp ? names.func(f)
            : f < nImp + k ? `$${sanitizeId(`${a.imports[f - nImp].module}.${a.imports[f - nImp].name}`)}`
                : f < nApp + k ? names.func(f - k) : String(f),
    };
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
    // Most sites of a probe get the same bytes (a call to its compiled body, a counter increment): each
    // distinct fragment is printed once and its lines shared (read-only) by the injections.
    const printed = new Map<string, string[]>();
    const textOf = (code: Uint8Array): string[] => {
        const key = Buffer.from(code.buffer, code.byteOffset, code.byteLength).toString('latin1');
        let lines = printed.get(key);
        if (!lines) printed.set(key, lines = printFragment(code, namer));
        return lines;
    };
    const injections: PlanInjection[] = raw.map(x => ({
        fid: x.fid, opidx: x.opidx, pc: pcOf(x.fid, x.opidx), where: x.where, probe: x.probe, code: textOf(x.code),
    }));

    const perProbe = new Array<number>(model.probes.length).fill(0);
    for (const x of injections) if (x.probe >= 0) perProbe[x.probe]++;
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
            sites: counts[p.index], injections: perProbe[p.index],
        };
        const pred = rangeOf(ast.predicate as never);
        if (pred) pp.predicate = pred;
        const why = reasons.get(p.index);
        if (why) pp.noMatch = why;
        return pp;
    });
    const plan: DryRunPlan = {
        app: input.appPath, probes, sites, sitesTruncated: t.length > sites.length, injections,
        added: {
            imports: a.imports.map((x, i) => ({ index: nImp + i, module: x.module, name: x.name })),
            functions: a.functions.map((x, i) => ({ index: nApp + k + i, params: x.params, results: x.results, instrs: printFragment(x.body).length })),
            globals: a.globals.map((x, i) => ({ index: m.globals.length + i, type: x.type, mutable: x.mutable })),
            exports: a.exports,
        },
        warnings: result.warnings, mapping: input.mapper?.kind ?? 'none',
    };
    return { plan, module: m };
}
