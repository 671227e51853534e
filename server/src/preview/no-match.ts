// Why a probe matches nothing in an app: the event never occurs, a type bound never fits (with the types the
// app does have there), an earlier alt probe replaces every instruction it would see, or its predicate
// folds to false at every site. Asked only for probes without sites, so the scans stay rare.
import { boundAccepts as engineBoundAccepts, indexProbes, type ProbeIndex } from '../engine/probes-at-site.js';
import type { ProbeDef } from '../engine/script.js';
import { typeBody, OPCODES, type WasmModule } from '../wasm/index.js';
import { appIndex } from './app-index.js';

/** A bound accepts a value type of the decoder's spelling (the engine's own is a narrower union). */
function boundAccepts(bound: string, actual: string | undefined): boolean {
    return engineBoundAccepts(bound, actual as Parameters<typeof engineBoundAccepts>[1]);
}

/** At most this many functions are typed to look for the operand types a bound expects. */
const TYPED_FUNCTIONS = 400;

function opcodeLists(idx: ProbeIndex): (readonly unknown[] | undefined)[][] {
    return [idx.before, idx.after, idx.alt, idx.blockEntry, idx.blockExit, idx.blockAfter, idx.blockAlt, idx.atTarget];
}

/** Opcode-table indices a probe attaches to (any mode). */
function opsOf(idx: ProbeIndex): Set<number> {
    const ops = new Set<number>();
    for (const list of opcodeLists(idx)) list.forEach((x, i) => { if (x?.length) ops.add(i); });
    return ops;
}

function altOps(idx: ProbeIndex): Set<number> {
    const ops = new Set<number>();
    for (const list of [idx.alt, idx.blockAlt]) list.forEach((x, i) => { if (x?.length) ops.add(i); });
    return ops;
}

function names(ops: Iterable<number>, max = 3): string {
    const all = [...ops].map(i => OPCODES[i].name);
    return all.slice(0, max).map(n => `\`${n}\``).join(', ') + (all.length > max ? ` (or ${all.length - max} more)` : '');
}

/**
 * A reason for every probe of `probes` whose site count is 0 (and that is placed at sites at all: begin,
 * end and report probes are not). `sites[i]` is probe i's exact site count.
 */
export function noMatchReasons(m: WasmModule, probes: readonly ProbeDef[], sites: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    const indices = probes.map(p => indexProbes([p]));
    for (const p of probes) {
        if ((sites[p.index] ?? 0) > 0) continue;
        const idx = indices[p.index];
        const funcEvents = idx.funcEntry.length + idx.funcExit.length + idx.blockStart.length + idx.blockEnd.length;
        const ops = opsOf(idx);
        if (!ops.size && !funcEvents) {
            if (idx.begin.length || idx.end.length || idx.report.length) continue;
            if (idx.unsupported.length) out.set(p.index, `${idx.unsupported.map(u => u.what).slice(0, 2).join(', ')} cannot be injected`);
            continue;
        }
        const reason = (ops.size ? opcodeReason(m, p, idx, ops, probes, indices, sites) : undefined)
            ?? (funcEvents && m.bodies.length === 0 ? 'the app defines no functions' : undefined)
            ?? boundReasonForFunctions(m, p, funcEvents > 0)
            ?? (p.predicate ? 'its predicate is false at every site (it folds to false)' : 'no site of the app fits the probe');
        out.set(p.index, reason);
    }
    return out;
}

function opcodeReason(m: WasmModule, p: ProbeDef, idx: ProbeIndex, ops: Set<number>, probes: readonly ProbeDef[], indices: ProbeIndex[], sites: readonly number[]): string | undefined {
    // Where the probe's instructions occur (functions), from the app's opcode index.
    const where = appIndex(m).opcodeFuncs;
    const inFuncs = [...new Set([...ops].flatMap(o => where.get(o) ?? []))].sort((a, b) => a - b);
    const count = inFuncs.length;
    if (count === 0) return `the app has no ${names(ops)} instruction`;
    // An earlier alt probe replaces every instruction this alt probe would replace.
    const mine = altOps(idx);
    if (mine.size) {
        for (const q of probes) {
            if (q.index >= p.index || (sites[q.index] ?? 0) === 0) continue;
            const theirs = altOps(indices[q.index]);
            if ([...mine].every(o => theirs.has(o))) return `every site is also matched by probe ${q.index}, which replaces the instruction (alt)`;
        }
    }
    // Type bounds on operands, results or locals: which types does the app have there?
    const bounds = [...p.bounds].filter(([n]) => /^(arg|res|local)\d+$/.test(n));
    if (!bounds.length) return undefined;
    const seen = new Map<string, Set<string>>(bounds.map(([n]) => [n, new Set()]));
    let fits = false;
    for (const f of inFuncs.slice(0, TYPED_FUNCTIONS)) {
        let t;
        try { t = typeBody(m, f); } catch { continue; }
        t.instrs.forEach((ins, i) => {
            if (!ops.has(ins.op.index) || t.unreachable[i]) return;
            let all = true;
            for (const [name, type] of bounds) {
                const k = /^(arg|res|local)(\d+)$/.exec(name)!;
                const n = Number(k[2]);
                const res = t.results[i];
                const actual = k[1] === 'arg' ? t.operands[i]?.[n] : k[1] === 'res' ? res?.[res.length - 1 - n] : t.locals[n];
                if (actual !== undefined) seen.get(name)!.add(actual);
                if (!boundAccepts(type, actual)) all = false;
            }
            if (all) fits = true;
        });
    }
    if (fits) return undefined;
    const event = names(ops, 2);
    const [name, type] = bounds.find(([n]) => ![...seen.get(n)!].some(a => boundAccepts(bounds.find(b => b[0] === n)![1], a))) ?? bounds[0];
    const types = [...seen.get(name)!];
    const what = name.startsWith('local') ? `a function whose ${name}` : `${event} site`;
    return name.startsWith('local')
        ? `no ${what} has type ${type}${types.length ? ` (found: ${types.join(', ')})` : ''}`
        : `no ${what} has ${name} of type ${type}${types.length ? ` (found: ${types.join(', ')})` : ` (no ${event} has ${name})`}`;
}

/** func/block events with a `localN` bound: which functions have such a local? */
function boundReasonForFunctions(m: WasmModule, p: ProbeDef, funcEvents: boolean): string | undefined {
    if (!funcEvents) return undefined;
    const bounds = [...p.bounds].filter(([n]) => /^local\d+$/.test(n));
    if (!bounds.length) return undefined;
    for (const [name, type] of bounds) {
        const n = Number(name.slice(5));
        let any = false;
        for (const b of m.bodies) {
            const t = typeBody(m, b.func);
            if (boundAccepts(type, t.locals[n])) { any = true; break; }
        }
        if (!any) return `no function has ${name} of type ${type}`;
    }
    return undefined;
}
