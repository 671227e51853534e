// `whamm/preview` and the dry run behind `whamm/sites`: one cached dry run per (app, script, libraries),
// so the "N sites" lenses, the "matches nothing" warnings and the injection preview cost one placement
// pass per edit. The app (bytes, decoded module, source mapper) is cached while its file is unchanged.
import fs from 'node:fs';
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import path from 'node:path';
import { loadSourceMapper, type SourceMapper } from '../../mapping/index.js';
import type { WasmModule } from '../../wasm/index.js';
import { decodeApp, recordedWalk, type DecodedApp } from '../../engine/app-codec.js';
import type { AppFunction, AppInstr } from '../../engine/app.js';
import { materialize, passCounts, planPass, type PlanPass } from '../../preview/plan.js';
import { chooseShown, previewLines, type PreviewOptions } from '../../preview/document.js';
import { lineEdits } from '../../preview/delta.js';
import { appModuleFromFile } from '../../wasm/wat-assemble.js';
import type { DryRunPlan, PreviewParams, PreviewResult } from '../../protocol.js';

interface AppEntry { path: string; mtimeMs: number; size: number; bytes: Uint8Array; decoded?: DecodedApp; module?: WasmModule; mapper?: SourceMapper; roots: string }

/**
 * The app decoded once, with each function's typed instructions kept after their first use: edits change
 * the script, not the app, so the typing pass (the bulk of a placement pass that reads operands) runs once
 * per function, not once per keystroke. Kept up to a budget of instructions (about 200 bytes each), so a
 * very large app costs the language server a bounded amount of memory.
 */
export const TYPED_BUDGET = 600_000;
/** Instructions whose untyped walk is recorded (about 15 bytes each). */
const RECORDED_BUDGET = 8_000_000;
function keepTyped(d: DecodedApp): DecodedApp {
    let kept = 0, recorded = 0;
    const functions = d.functions.map(f => {
        let typed: AppInstr[] | undefined;
        let replay: (() => Iterable<AppInstr>) | undefined;
        const walk = (t?: boolean) => f.instrs(t);
        const instrs = (t?: boolean): Iterable<AppInstr> => {
            if (!t) {
                // The untyped walk too is recorded once (a few bytes an instruction) and replayed after.
                if (replay) return replay();
                if (recorded >= RECORDED_BUDGET) return walk(false);
                const r = recordedWalk(d.module, withInstrs(f, walk));
                recorded += r.count;
                replay = r.instrs;
                return replay();
            }
            if (typed) return typed;
            if (kept >= TYPED_BUDGET) return walk(true);
            typed = [...walk(true)];
            kept += typed.length;
            return typed;
        };
        return withInstrs(f, instrs);
    });
    return { ...d, functions };
}

/** `f` with another instruction walk (its other members are `f`'s own, getters included). */
function withInstrs(f: AppFunction, instrs: AppFunction['instrs']): AppFunction {
    return Object.assign(Object.create(f) as AppFunction, { instrs });
}

let app: AppEntry | undefined;
/** The last placement pass (or the plan saying why there is none), by app, script and libraries. */
type PassOrPlan = { pass: PlanPass } | { plan: DryRunPlan };
let last: { key: string; result: Promise<PassOrPlan> } | undefined;

export interface PlanParams {
    app: string;
    script: string;
    scriptPath?: string;
    userLibs?: Record<string, string>;
    searchRoots?: string[];
}

async function loadApp(p: string, roots: string[]): Promise<AppEntry> {
    const st = fs.statSync(p);
    const r = JSON.stringify(roots);
    if (app && app.path === p && app.mtimeMs === st.mtimeMs && app.size === st.size) {
        if (app.roots !== r) { app.mapper = undefined; app.roots = r; }
        return app;
    }
    // A .wat app is assembled as the CLI assembles it (wabt, instructions exactly as written).
    const bytes = await appModuleFromFile(p, new Uint8Array(fs.readFileSync(p)));
    app = { path: p, mtimeMs: st.mtimeMs, size: st.size, bytes, roots: r };
    return app;
}

function failed(appPath: string, error: string): DryRunPlan {
    return { app: appPath, probes: [], sites: [], sitesTruncated: false, injections: [], added: { imports: [], functions: [], globals: [], exports: [] }, warnings: [], mapping: 'none', error };
}

/** The placement pass of a script on an app (the last one is reused while nothing changed). */
export async function passFor(params: PlanParams): Promise<PassOrPlan> {
    let a: AppEntry;
    try {
        a = await loadApp(params.app, params.searchRoots ?? []);
    } catch (e) {
        return { plan: failed(params.app, `cannot read the app ${params.app}: ${(e as Error).message}`) };
    }
    const key = JSON.stringify([a.path, a.mtimeMs, a.size, params.script, params.userLibs ?? {}, params.searchRoots ?? []]);
    if (last?.key === key) return last.result;
    const result = (async (): Promise<PassOrPlan> => {
        const libs = new Map<string, Uint8Array>();
        try {
            for (const [k, v] of Object.entries(params.userLibs ?? {})) libs.set(k, new Uint8Array(fs.readFileSync(v)));
        } catch (e) {
            return { plan: failed(params.app, `cannot read a user library: ${(e as Error).message}`) };
        }
        try {
            a.decoded ??= keepTyped(decodeApp(a.bytes));
            a.module ??= a.decoded.module;
        } catch (e) {
            return { plan: failed(params.app, `cannot decode the app: ${(e as Error).message}`) };
        }
        a.mapper ??= loadSourceMapper(a.module, a.path, { searchRoots: params.searchRoots });
        const r = await planPass({ app: a.bytes, appPath: a.path, decoded: a.decoded, mapper: a.mapper, script: params.script, scriptPath: params.scriptPath, userLibs: libs });
        return r.pass ? { pass: r.pass } : { plan: r.plan! };
    })().catch((e: unknown) => ({ plan: failed(params.app, `the dry run failed: ${(e as Error).message}`) }));
    last = { key, result };
    return result;
}

/** The dry-run plan of a script on an app, listing at most `perProbe` sites of each probe. */
export async function planFor(params: PlanParams, perProbe?: number): Promise<DryRunPlan> {
    const r = await passFor(params);
    return 'pass' in r ? materialize(r.pass, { perProbeLimit: perProbe }) : r.plan;
}

/**
 * The preview: the functions printed in full are chosen from the pass's counts, and only their sites and
 * injections are turned into text and sent (the others are one folded line each).
 */
export async function computePreview(params: PreviewParams, token?: CancellationToken, limits: Pick<PreviewOptions, 'maxFunctions' | 'maxLines'> = {}): Promise<PreviewResult> {
    // A newer edit cancels this request: the cancellation queued behind it is read before the pass starts
    // and again before the answer is built, so latency does not pile up while the user types.
    await settled(token);
    const r = await passFor(params);
    await settled(token);
    const m = 'pass' in r ? r.pass.m : undefined;
    const plan0 = 'plan' in r ? r.plan : undefined;
    const empty = { text: '', functions: [], folded: [], marks: [], siteLines: [], omittedFunctions: 0 };
    if (plan0 || !m || !('pass' in r)) {
        const error = plan0?.error ?? 'no app';
        return { ...empty, plan: plan0 ?? failed(params.app, error), text: `;; ${error}\n`, error };
    }
    try {
        const o = {
            appName: path.basename(params.app), scriptName: params.scriptPath ? path.basename(params.scriptPath) : 'the script',
            executions: params.executions, expand: params.expand, ...limits,
        };
        const counts = passCounts(r.pass);
        const { shown } = chooseShown(m, counts, o);
        for (const f of params.expand ?? []) shown.add(f);
        const plan = materialize(r.pass, { functions: shown, siteLimit: Number.MAX_SAFE_INTEGER });
        const { lines, result } = previewLines(m, plan, o, counts);
        return withText(params, lines, result);
    } catch (e) {
        const error = `the preview failed: ${(e as Error).message}`;
        return { ...empty, plan: failed(params.app, error), text: `;; ${error}\n`, error };
    }
}

/** The texts recently answered per session (the client's preview document), newest last. */
const sessions = new Map<string, { revision: number; lines: string[] }[]>();
const MAX_SESSIONS = 8, KEPT_PER_SESSION = 3;
let revisions = 0;

/**
 * The answer's text: as line edits of the text the client holds when the server still has it (a
 * cancelled answer may never have reached the client, so the last few are kept), else in full.
 */
function withText(params: PreviewParams, lines: string[], result: Omit<PreviewResult, 'text'>): PreviewResult {
    if (params.session === undefined) return { ...result, text: lines.join('\n') };
    const revision = ++revisions;
    let kept = sessions.get(params.session);
    const base = params.have === undefined ? undefined : kept?.find(k => k.revision === params.have);
    if (!kept) {
        if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
        sessions.set(params.session, kept = []);
    }
    kept.push({ revision, lines });
    if (kept.length > KEPT_PER_SESSION) kept.shift();
    if (!base) return { ...result, text: lines.join('\n'), revision };
    return { ...result, text: '', revision, textEdits: { base: base.revision, edits: lineEdits(base.lines, lines) } };
}

/** Lets queued messages (a cancellation) arrive, then stops a cancelled request. */
async function settled(token: CancellationToken | undefined): Promise<void> {
    if (!token) return;
    await new Promise(resolve => setImmediate(resolve));
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'the preview was superseded by a newer edit');
}
