// Seeded mutation fuzzer for the language server (edits over LSP to a real server process), the CLI
// (mutated scripts and mutated modules through `whamm instr`) and the runner's sandbox.
//
//   npm run fuzz -- --cases N [--seed S] [--target lsp|cli|modules|sandbox|all]
//
// N cases in total, split evenly over the chosen targets. Prints, per target, the figures that must stay 0:
// server exits, stack traces (also internal errors the server logs), requests or diagnostics that take the
// server over 2 s of CPU time or get no answer in 60 s (hangs), CLI runs that exit 0 on invalid input, exit with another code than 0/2 for bad input,
// print more than a one-line message or diagnostics, or leave an output behind after failing. Exits 1 when a
// figure is not 0. Every case is replayable: the seed fixes them all.
import '../../server/src/polyfill.js';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LspClient, ensureServerBundle } from '../support/lsp-client.js';
import { HAVE_SHARED, PROJECT_ROOT, listFiles, sharedPath } from '../support/shared.js';
import { wat } from '../support/wat.js';
import { makeSandboxTree, OUTSIDE_SECRET } from '../support/sandbox-tree.js';
import { Rng, mutateModule, mutateScript } from './mutate.js';
import { parseScript } from '../../server/src/language/parse.js';
import { checkParsed } from '../../server/src/frontend/index.js';
import { findCapableNode } from '../../server/src/runner/capable-node.js';
import { lowerPageSizes } from '../../server/src/wasm/lower-page-sizes.js';

export type Target = 'lsp' | 'cli' | 'modules' | 'sandbox';
export const TARGETS: Target[] = ['lsp', 'cli', 'modules', 'sandbox'];

export interface Finding { target: Target; kind: string; detail: string; input?: string }
export interface TargetReport {
    target: Target; cases: number; skipped?: string;
    figures: Record<string, number>;
    findings: Finding[];
}

const HANG_MS = 2000;
const CLI = path.join(PROJECT_ROOT, 'out', 'cli.cjs');
const STACK = /^\s+at .+[(:]\d+/m;

export const BUILTIN_SCRIPTS = [
    'report var count: u64;\nwasm:opcode:*:before { count++; }\n',
    'report var hits: map<(u32, u32), u32>;\nwasm:opcode:br_if:before / fid == 1 && pc > 2 / {\n    var key: (u32, u32) = (fid, pc);\n    hits[key]++;\n}\n',
    'use whamm_core;\nfn twice(a: u32) -> u32 { return a * 2; }\nwasm:opcode:call(arg0: i32):before {\n    report unshared var n: u32;\n    if (arg0 > 3) { n = n + twice(arg0 as u32); } elif (arg0 == 0) { n++; } else { n--; }\n}\n',
    'var s: str = "a\\tb";\nwasm:begin { var t: bool = !true || 1 < 2 ? false : true; }\nwasm:opcode:i32.load:before { report unshared var c: u32; c++; }\n',
];

const APP_WAT = `(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.load (i32.const 4))))
  (func (export "_start") (local i32)
    (loop $l
      (local.set 0 (call $f (local.get 0)))
      (i32.store (i32.const 4) (i32.const 1))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (br_if $l (i32.lt_u (global.get $g) (i32.const 10))))))`;

export function seedScripts(): string[] {
    const corpus = HAVE_SHARED ? [...listFiles(sharedPath('conformance'), '.mm'), ...listFiles(sharedPath('bench'), '.mm')] : [];
    return [...BUILTIN_SCRIPTS, ...corpus.map(f => fs.readFileSync(f, 'utf8')).filter(t => t.length < 20_000)];
}

export async function seedApps(): Promise<Uint8Array[]> {
    const apps = [await wat(APP_WAT)];
    if (HAVE_SHARED) {
        for (const f of listFiles(sharedPath('conformance', 'apps'), '.wasm').slice(0, 6)) {
            const b = new Uint8Array(fs.readFileSync(f));
            if (b.length < 64_000) apps.push(b);
        }
    }
    return apps;
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
    Promise.race([p, new Promise<'timeout'>(r => { const t = setTimeout(() => r('timeout'), ms); t.unref?.(); })]);

// ---- language server ----

/** A reply (or diagnostics) that never comes in this time is a hang whatever the load. */
const NO_ANSWER_MS = 60_000;

/**
 * The answer to `send()`, or 'timeout' when the server hangs on it: when it spent over HANG_MS of CPU time
 * on the answer (or gave none in NO_ANSWER_MS). On a loaded machine the wall clock also counts the time the
 * server waited for a core; its own CPU time does not. Where that cannot be read, the wall clock decides.
 */
async function answered<T>(client: LspClient, send: () => Promise<T>): Promise<T | 'timeout' | 'exited'> {
    const cpu0 = client.serverCpuMs();
    const t0 = performance.now();
    let poll: NodeJS.Timeout | undefined;
    const exited = new Promise<'exited'>(resolve => { poll = setInterval(() => { if (client.exited) resolve('exited'); }, 100); });
    const r = await within(Promise.race([send(), exited]), NO_ANSWER_MS).finally(() => clearInterval(poll));
    if (r === 'exited') return r;
    const cpu1 = client.serverCpuMs();
    const spent = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : performance.now() - t0;
    return r === 'timeout' || spent > HANG_MS ? 'timeout' : r;
}

async function fuzzLsp(cases: number, rng: Rng, scripts: string[]): Promise<TargetReport> {
    const figures = { 'server exits': 0, 'stack traces': 0, 'hangs > 2 s': 0, 'error replies': 0 };
    const findings: Finding[] = [];
    ensureServerBundle();
    let client = new LspClient();
    await client.initialize();
    let version = 0;
    let seen = 0;
    const restart = async () => {
        await client.shutdown().catch(() => undefined);
        client = new LspClient();
        await client.initialize();
        seen = 0;
    };
    for (let k = 0; k < cases; k++) {
        const text = mutateScript(rng.pick(scripts), rng);
        const uri = `file:///fuzz/case${version++ % 4}.mm`;
        const before = client.exited;
        let outcome: unknown = await answered(client, () => k % 7 === 0 || version <= 4 ? client.open(uri, text) : client.change(uri, text));
        if (outcome === 'timeout') {
            // Diagnostics are only published when the document is (re)built: a change to a document the
            // server never saw opens it instead.
            outcome = await answered(client, () => client.open(uri, text));
        }
        const request = rng.int(8);
        const offset = rng.int(text.length + 1);
        const before2 = text.substring(0, offset);
        const position = { line: before2.split('\n').length - 1, character: offset - before2.lastIndexOf('\n') - 1 };
        let reply: unknown = 'none';
        if (!client.exited) {
            const req: Array<() => Promise<unknown>> = [
                () => client.symbols(uri), () => client.hover(uri, position), () => client.completion(uri, position),
                () => client.semanticTokens(uri), () => client.formatting(uri), () => client.folding(uri),
                () => client.definition(uri, position), () => client.references(uri, position),
            ];
            reply = await answered(client, () => req[request]().catch((e: Error) => { figures['error replies']++; return `error: ${e.message}`; }));
        }
        const stderr = client.stderr.substring(seen);
        seen = client.stderr.length;
        if (!before && client.exited) {
            figures['server exits']++;
            findings.push({ target: 'lsp', kind: 'server exit', detail: stderr.split('\n').slice(0, 6).join('\n'), input: text });
            await restart();
            continue;
        }
        if (STACK.test(stderr)) {
            figures['stack traces']++;
            findings.push({ target: 'lsp', kind: 'stack trace', detail: stderr.split('\n').slice(0, 6).join('\n'), input: text });
        }
        if (outcome === 'timeout' || reply === 'timeout') {
            figures['hangs > 2 s']++;
            findings.push({ target: 'lsp', kind: 'hang', detail: outcome === 'timeout' ? 'no diagnostics' : `request ${request}`, input: text });
        }
    }
    await client.shutdown();
    return { target: 'lsp', cases, figures, findings };
}

// ---- CLI ----

interface Run { code: number | null; err: string; ms: number }

function runCli(args: string[], cwd: string): Promise<Run> {
    return new Promise(resolve => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => { if (err.length < 100_000) err += d.toString(); });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', code => { clearTimeout(timer); resolve({ code, err, ms: performance.now() - t0 }); });
    });
}

/** The figures every failing CLI run is held to. */
function judge(target: Target, run: Run, invalid: boolean, outputs: string[], figures: Record<string, number>, findings: Finding[], input: string): void {
    const add = (kind: string, detail: string) => { figures[kind]++; findings.push({ target, kind, detail: `${detail} (exit ${run.code})\n${run.err.slice(0, 400)}`, input }); };
    if (run.code === null) add('hangs > 60 s', 'killed');
    else if (run.ms > HANG_MS) figures['runs > 2 s']++;
    if (STACK.test(run.err)) add('stack traces', 'stack trace on stderr');
    if (run.code === 0 && invalid) add('exit 0 on invalid input', 'accepted invalid input');
    if (run.code !== 0 && run.code !== null) {
        if (invalid && run.code !== 2) add('bad input not exit 2', `exit ${run.code}`);
        const lines = run.err.trim().split('\n').filter(l => l.trim() !== '');
        const diagnosticLines = lines.every(l => /:\d+:\d+: (error|warning|info|hint): /.test(l) || /^\s/.test(l) || /^[^:\n]*$/.test(l));
        if (lines.length > 1 && !diagnosticLines) add('messages over one line', 'several non-diagnostic lines');
        const left = outputs.filter(o => fs.existsSync(o));
        if (left.length > 0) add('outputs after failure', `left ${left.map(o => path.basename(o)).join(', ')}`);
    }
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await work(items[next++]); }));
}

function figuresCli(): Record<string, number> {
    return { 'stack traces': 0, 'exit 0 on invalid input': 0, 'bad input not exit 2': 0, 'messages over one line': 0, 'outputs after failure': 0, 'hangs > 60 s': 0, 'runs > 2 s': 0 };
}

async function fuzzCli(cases: number, rng: Rng, scripts: string[], apps: Uint8Array[]): Promise<TargetReport> {
    const figures = figuresCli();
    const findings: Finding[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-fuzz-cli-'));
    const app = path.join(dir, 'app.wasm');
    fs.writeFileSync(app, apps[0]);
    const inputs = Array.from({ length: cases }, (_, k) => ({ k, text: mutateScript(rng.pick(scripts), rng) }));
    await pool(inputs, 2, async ({ k, text }) => {
        const script = path.join(dir, `s${k}.mm`);
        const out = path.join(dir, `o${k}.wasm`);
        fs.writeFileSync(script, text);
        const parsed = await parseScript(text);
        const invalid = checkParsed(parsed).lspDiagnostics.some(d => d.severity === 1);
        const run = await runCli(['instr', '--app', app, '--script', script, '-o', out], dir);
        judge('cli', run, invalid, [out, `${out.slice(0, -5)}.sites.json`], figures, findings, text);
        for (const f of [script, out, `${out.slice(0, -5)}.sites.json`]) fs.rmSync(f, { force: true });
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return { target: 'cli', cases, figures, findings };
}

/**
 * The engines' verdict on a module, the fuzzer's oracle for "invalid input": V8's validator, on the module
 * with custom page sizes lowered to 64 KiB pages (a proposal no Node has yet: only the memory limits and
 * memory.size/grow change), and where this Node lacks a proposal the module uses, a Node 22+'s V8.
 */
function engineValid(bytes: Uint8Array): boolean {
    if (WebAssembly.validate(bytes)) return true;
    let lowered = bytes;
    try { lowered = lowerPageSizes(bytes)?.bytes ?? bytes; } catch { /* not lowerable: judged as it is */ }
    if (lowered !== bytes && WebAssembly.validate(lowered)) return true;
    try { new WebAssembly.Module(lowered); return true; } catch (e) {
        if (!/--experimental-wasm-/.test(String((e as Error).message))) return false;
    }
    const node = findCapableNode();
    if (!node) return false;
    const r = spawnSync(node.path, ['-e', 'process.stdout.write(String(WebAssembly.validate(require("fs").readFileSync(0))))'], { input: lowered, env: {}, encoding: 'utf8' });
    return r.stdout === 'true';
}

async function fuzzModules(cases: number, rng: Rng, apps: Uint8Array[]): Promise<TargetReport> {
    const figures = { ...figuresCli(), 'invalid outputs': 0 };
    const findings: Finding[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-fuzz-mod-'));
    const script = path.join(dir, 'count.mm');
    fs.writeFileSync(script, BUILTIN_SCRIPTS[0]);
    const inputs = Array.from({ length: cases }, (_, k) => ({ k, bytes: mutateModule(rng.pick(apps), rng) }));
    await pool(inputs, 2, async ({ k, bytes }) => {
        const app = path.join(dir, `a${k}.wasm`);
        const out = path.join(dir, `o${k}.wasm`);
        fs.writeFileSync(app, bytes);
        const invalid = !engineValid(bytes);
        const run = await runCli(['instr', '--app', app, '--script', script, '-o', out], dir);
        const hex = Buffer.from(bytes).toString('base64');
        judge('modules', run, invalid, [out, `${out.slice(0, -5)}.sites.json`], figures, findings, hex);
        if (run.code === 0 && fs.existsSync(out) && !engineValid(new Uint8Array(fs.readFileSync(out)))) {
            figures['invalid outputs']++;
            findings.push({ target: 'modules', kind: 'invalid outputs', detail: 'instrumented module does not validate', input: hex });
        }
        for (const f of [app, out, `${out.slice(0, -5)}.sites.json`]) fs.rmSync(f, { force: true });
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return { target: 'modules', cases, figures, findings };
}

// ---- sandbox ----

const SEGMENTS = ['..', '.', 'sub', 'abs-link', 'rel-link', 'sneaky', 'made-link', 'outside', 'secret.txt', 'inside.txt', '', 'etc', 'passwd', '/etc/passwd', '/tmp', '%2e%2e', '...', 'sub/..'];

/** Random paths and grants through `whamm run` of an app that reads, writes, links and prints its environment. */
async function fuzzSandbox(cases: number, rng: Rng): Promise<TargetReport> {
    const probe = path.join(PROJECT_ROOT, 'test', 'fixtures', 'sandbox', 'probe.wat');
    if (!fs.existsSync(probe)) return { target: 'sandbox', cases, skipped: 'the sandbox probe app (test/fixtures/sandbox/probe.wat) is not in this tree', figures: {}, findings: [] };
    const figures = { 'escapes': 0, 'environment leaks': 0, 'writes outside': 0, 'stack traces': 0 };
    const findings: Finding[] = [];
    const { tmp, granted, outside } = makeSandboxTree('whamm-fuzz-sandbox-');
    const app = path.join(tmp, 'probe.wasm');
    fs.writeFileSync(app, await wat(fs.readFileSync(probe, 'utf8')));
    const listing = (dir: string) => fs.readdirSync(dir).sort().join(',');
    const outsideBefore = listing(outside);
    const tmpBefore = listing(tmp);
    const grants = [[], ['--dir', `${granted}::/data`], ['--dir-ro', granted], ['--dir', `${granted}::.`], ['--dir-ro', `${granted}::/`]];
    for (let k = 0; k < cases; k++) {
        const grant = rng.pick(grants);
        const p = Array.from({ length: 1 + rng.int(4) }, () => rng.pick(SEGMENTS)).join('/');
        const action = rng.pick([['e'], ['r', p], ['r', p], ['w', p], ['s', 'made-link', rng.pick(['../outside', '/etc', '..', 'sub/../..', outside])]]);
        const run = await new Promise<{ code: number | null; out: string; err: string }>(resolve => {
            const child = spawn(process.execPath, [CLI, 'run', app, ...grant, '--', ...action], {
                cwd: granted, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SECRET_TOKEN: 'hunter2' },
            });
            let out = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
            child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
            child.on('close', code => resolve({ code, out, err }));
        });
        const add = (kind: keyof typeof figures, detail: string) => {
            figures[kind]++;
            findings.push({ target: 'sandbox', kind, detail: `${detail}: ${[...grant, '--', ...action].join(' ')} (exit ${run.code})`, input: run.out.slice(0, 200) });
        };
        if (run.out.includes(OUTSIDE_SECRET) || /root:x?:0:/.test(run.out)) add('escapes', 'read outside the grant');
        if (run.out.includes('hunter2')) add('environment leaks', 'saw the CLI environment');
        if (listing(outside) !== outsideBefore || listing(tmp) !== tmpBefore) add('writes outside', 'created a file outside the grant');
        if (STACK.test(run.err)) add('stack traces', 'stack trace on stderr');
        if (grant[0] !== '--dir' && fs.readdirSync(path.join(granted)).some(f => !['sub', 'inside.txt', 'abs-link', 'rel-link', 'sneaky'].includes(f))) {
            add('writes outside', 'wrote into a directory not granted for writing');
        }
        for (const f of fs.readdirSync(granted)) if (!['sub', 'inside.txt', 'abs-link', 'rel-link', 'sneaky'].includes(f)) fs.rmSync(path.join(granted, f), { recursive: true, force: true });
        for (const f of fs.readdirSync(path.join(granted, 'sub'))) fs.rmSync(path.join(granted, 'sub', f), { recursive: true, force: true });
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    return { target: 'sandbox', cases, figures, findings };
}

// ---- driver ----

export async function runFuzz(options: { cases: number; seed: number; targets: Target[] }): Promise<TargetReport[]> {
    const scripts = seedScripts();
    const apps = await seedApps();
    const share = Math.max(1, Math.floor(options.cases / options.targets.length));
    const reports: TargetReport[] = [];
    for (const target of options.targets) {
        const rng = new Rng(options.seed * 31 + TARGETS.indexOf(target));
        if (target === 'lsp') reports.push(await fuzzLsp(share, rng, scripts));
        else if (target === 'cli') { ensureServerBundle(); reports.push(await fuzzCli(share, rng, scripts, apps)); }
        else if (target === 'modules') { ensureServerBundle(); reports.push(await fuzzModules(share, rng, apps)); }
        else { ensureServerBundle(); reports.push(await fuzzSandbox(share, rng)); }
    }
    return reports;
}

export function formatReports(reports: TargetReport[], seed: number): string {
    const lines: string[] = [];
    for (const r of reports) {
        if (r.skipped) { lines.push(`${r.target}: SKIPPED (${r.skipped})`); continue; }
        lines.push(`${r.target}: ${r.cases} cases (seed ${seed}): ${Object.entries(r.figures).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    }
    return lines.join('\n');
}

/** Figures that count as failures (slow-but-finished CLI runs and error replies are informative only). */
export function failures(r: TargetReport): number {
    return Object.entries(r.figures).filter(([k]) => k !== 'runs > 2 s' && k !== 'error replies').reduce((s, [, v]) => s + v, 0);
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
    const cases = Number(opt('--cases') ?? 400);
    const seed = Number(opt('--seed') ?? 1);
    const target = opt('--target') ?? 'all';
    if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || !(target === 'all' || TARGETS.includes(target as Target))) {
        console.error('usage: npm run fuzz -- --cases N [--seed S] [--target lsp|cli|modules|sandbox|all]');
        process.exit(2);
    }
    const targets = target === 'all' ? TARGETS : [target as Target];
    const reports = await runFuzz({ cases, seed, targets });
    const findingsFile = path.join(os.tmpdir(), `whamm-fuzz-findings-${seed}.json`);
    const findings = reports.flatMap(r => r.findings);
    if (findings.length > 0) fs.writeFileSync(findingsFile, JSON.stringify(findings, null, 1));
    console.log(formatReports(reports, seed));
    if (findings.length > 0) console.log(`${findings.length} findings written to ${findingsFile}`);
    process.exit(reports.some(r => failures(r) > 0) ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
