// Modules this engine cannot run. Node 20's V8 knows only a pre-standard encoding of Wasm GC and no
// multi-memory, so a module with final-spec GC types, typed function references or several memories
// fails to compile here; Node 22 runs it. engineFeatureGap() says which proposal is missing (from the
// engine's own compile error, which names it), findCapableNode() finds a Node 22+ binary to run in:
// $WHAMM_NODE, the project's .cache/node-22 (installed by .ci/setup-node22.sh), or `node` on the PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_MAGIC } from '../wasm/decode.js';

/** Set in the child process so that it never spawns another. */
export const CHILD_ENV = 'WHAMM_IN_CAPABLE_NODE';
export const MIN_NODE_MAJOR = 22;

const FEATURE_NAMES: Record<string, string> = {
    gc: 'garbage collection (GC types, struct/array instructions)',
    'typed-funcref': 'typed function references (call_ref, br_on_null, ...)',
    'typed-function-references': 'typed function references (call_ref, br_on_null, ...)',
    'multi-memory': 'multiple memories',
    'return-call': 'tail calls',
    'exnref': 'exception references',
    'stringref': 'string references',
    'memory64': '64-bit memories',
};

export function featureText(feature: string): string {
    return FEATURE_NAMES[feature] ?? feature;
}

/**
 * The Wasm proposal this engine lacks to compile `bytes` (V8 names it in its error: "enable with
 * --experimental-wasm-gc"), or undefined when it compiles or fails for another reason.
 */
export async function engineFeatureGap(bytes: Uint8Array): Promise<string | undefined> {
    if (WebAssembly.validate(bytes as Parameters<typeof WebAssembly.validate>[0])) return undefined;
    try {
        await WebAssembly.compile(bytes as Parameters<typeof WebAssembly.compile>[0]);
        return undefined;
    } catch (e) {
        return featureOfError(e);
    }
}

/** Whether this engine compiles a module with two memories (Node 22 does; Node 20 does not). */
export function engineHasMultiMemory(): boolean {
    // The smallest such module: the header (version 1) and a memory section (id 5, 5 bytes) of two memories of 0 pages.
    return WebAssembly.validate(Uint8Array.from([...WASM_MAGIC, 1, 0, 0, 0, 5, 5, 2, 0, 0, 0, 0]));
}

export function featureOfError(e: unknown): string | undefined {
    const message = e instanceof Error ? e.message : String(e);
    const m = /--experimental-wasm-([a-z0-9-]+)/i.exec(message);
    if (m) return m[1].toLowerCase();
    // Node 20's V8 does not name the proposal for a second memory (a big module's counter memory).
    return /memory count of \d+ exceeds internal limit of 1\b/.test(message) ? 'multi-memory' : undefined;
}

function nodeMajor(bin: string): number | undefined {
    try {
        const r = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 20000 });
        if (r.status !== 0) return undefined;
        const major = Number(r.stdout.trim().split('.')[0]);
        return Number.isFinite(major) ? major : undefined;
    } catch {
        return undefined;
    }
}

/** Where a Node 22 installed by .ci/setup-node22.sh would be, seen from this file or its bundle. */
function projectCandidates(): string[] {
    const rel = path.join('.cache', 'node-22', 'node_modules', '.bin', 'node');
    const here = path.dirname(fileURLToPath(import.meta.url));
    // out/cli.cjs -> <root>/out; server/src/runner/capable-node.ts -> <root>/server/src/runner.
    return [path.resolve(here, '..', rel), path.resolve(here, '..', '..', '..', rel), path.resolve(process.cwd(), rel)];
}

function onPath(name: string): string[] {
    return (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map(d => path.join(d, name));
}

let found: { path: string; major: number } | null | undefined;

/** A Node binary of version 22 or later other than the one running, or undefined. */
export function findCapableNode(): { path: string; major: number } | undefined {
    if (found !== undefined) return found ?? undefined;
    found = null;
    if (process.env.WHAMM_NODE === 'none') return undefined; // the user (or a test) asks for no other Node
    const candidates = [process.env.WHAMM_NODE, ...projectCandidates(), ...onPath('node')].filter((p): p is string => !!p);
    for (const c of [...new Set(candidates)]) {
        try { if (!fs.statSync(c).isFile()) continue; } catch { continue; }
        const major = nodeMajor(c);
        if (major !== undefined && major >= MIN_NODE_MAJOR) { found = { path: c, major }; break; }
    }
    return found ?? undefined;
}

/** True when this process runs an engine that cannot be helped by another Node (it is one already). */
export function inCapableChild(): boolean {
    return process.env[CHILD_ENV] === '1';
}

export class NoCapableNodeError extends Error {
    constructor(readonly feature: string) {
        super(`this module needs WebAssembly ${featureText(feature)}, which Node ${process.versions.node} cannot run, and no Node ${MIN_NODE_MAJOR}+ was found `
            + `(run .ci/setup-node22.sh in the project, or set WHAMM_NODE to a Node ${MIN_NODE_MAJOR}+ binary)`);
    }
}

/** What a newer engine says of a module: valid, invalid (with its message), or it too lacks a feature. */
export type CapableVerdict = { valid: true; node: string } | { valid: false; node: string; message: string } | { lacks: string };

// Runs in the capable Node with nothing but the module on stdin: compile, print "ok" or the error.
const VALIDATE_SOURCE = `const b = require('fs').readFileSync(0);
WebAssembly.compile(b).then(() => process.stdout.write('ok'), e => process.stdout.write('invalid ' + String(e && e.message)));`;

/**
 * Validates `bytes` with the V8 of a Node 22+ (for modules using a proposal this engine lacks); undefined
 * when there is no such Node, it cannot be run, or this process is one already. The child gets an empty
 * environment: nothing of ours (NODE_OPTIONS included) reaches it.
 */
export function validateInCapableNode(bytes: Uint8Array): CapableVerdict | undefined {
    if (inCapableChild()) return undefined;
    const node = findCapableNode();
    if (!node) return undefined;
    const r = spawnSync(node.path, ['-e', VALIDATE_SOURCE], { input: bytes, env: { [CHILD_ENV]: '1' }, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 20 });
    if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
    if (r.stdout === 'ok') return { valid: true, node: node.path };
    if (!r.stdout.startsWith('invalid ')) return undefined;
    const message = r.stdout.slice('invalid '.length).replace(/^WebAssembly\.\w+\(\): /, '');
    const lacks = featureOfError(message);
    return lacks ? { lacks } : { valid: false, node: node.path, message };
}
