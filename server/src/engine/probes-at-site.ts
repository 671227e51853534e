// Which probes apply where: the checker's matched (event, mode) pairs, looked up per instruction by
// opcode-table index (an array lookup on the hot path).
import type { EventDef } from '../frontend/index.js';
import type { ProbeDef } from './script.js';
import type { ValType } from './types.js';
import { valTypeOf, type WType } from './types.js';

export interface OpcodeProbe { probe: ProbeDef; mode: string }

export interface ProbeIndex {
    /** Opcode-table index -> probes with mode before / after / alt, in script order. */
    before: (OpcodeProbe[] | undefined)[];
    after: (OpcodeProbe[] | undefined)[];
    alt: (OpcodeProbe[] | undefined)[];
    /** Block-like opcodes (and else): entry at the body's start, exit at its fall-through end, after past its `end`. */
    blockEntry: (OpcodeProbe[] | undefined)[];
    blockExit: (OpcodeProbe[] | undefined)[];
    blockAfter: (OpcodeProbe[] | undefined)[];
    /** alt on a block-like opcode replaces the whole block (on else: the else arm). */
    blockAlt: (OpcodeProbe[] | undefined)[];
    /**
     * br/br_if/br_table `at_target` and `semantic_after`: once per execution, after the branch's effect
     * (at the label for a taken branch, at the fall-through otherwise). A branch changes nothing but the
     * control flow, so code placed right before it observes the same state as code at its landing point.
     */
    atTarget: (OpcodeProbe[] | undefined)[];
    /** Some block-extent list is non-empty: the instrumenter tracks block nesting. */
    nesting: boolean;
    funcEntry: ProbeDef[];
    funcExit: ProbeDef[];
    blockStart: ProbeDef[];
    blockEnd: ProbeDef[];
    begin: ProbeDef[];
    end: ProbeDef[];
    report: ProbeDef[];
    /** Modes matched that the engine does not inject yet (reported, not silently ignored). */
    unsupported: { probe: ProbeDef; what: string }[];
}

export function indexProbes(probes: ProbeDef[]): ProbeIndex {
    const idx: ProbeIndex = {
        before: [], after: [], alt: [], blockEntry: [], blockExit: [], blockAfter: [], blockAlt: [], atTarget: [], nesting: false, funcEntry: [], funcExit: [], blockStart: [], blockEnd: [],
        begin: [], end: [], report: [], unsupported: [],
    };
    for (const p of probes) {
        // The checker's (event, mode) pairs, grouped by event in catalog order.
        const byEvent = new Map<EventDef, string[]>();
        for (const m of p.matches) {
            const modes = byEvent.get(m.event);
            if (modes) modes.push(m.mode); else byEvent.set(m.event, m.mode ? [m.mode] : []);
        }
        for (const [e, modes] of byEvent) {
            if (e.op) {
                for (const mode of modes) {
                    // A block's after/alt concern its whole extent (after its end, the block replaced),
                    // which the core does not inject yet; better no code than code in the wrong place.
                    const blockish = e.op.blockLike || e.op.name === 'else' || e.op.name === 'end';
                    const extent = e.op.blockLike || e.op.name === 'else';
                    if ((mode === 'alt' || mode === 'block_alt') && !extent && blockish) {
                        idx.unsupported.push({ probe: p, what: `${e.rule}:${mode}` });
                        continue;
                    }
                    let list: (OpcodeProbe[] | undefined)[] | undefined;
                    if (extent && (mode === 'after' || mode === 'semantic_after' || mode === 'entry' || mode === 'exit' || mode === 'alt' || mode === 'block_alt')) {
                        // A block's semantic completion is where control lands past its `end`, which is what
                        // `after` means for a block too (the corpus).
                        list = mode === 'after' || mode === 'semantic_after' ? idx.blockAfter : mode === 'entry' ? idx.blockEntry : mode === 'exit' ? idx.blockExit : idx.blockAlt;
                        idx.nesting = true;
                    } else if ((mode === 'at_target' || mode === 'semantic_after') && e.op.category === 'branch') {
                        list = idx.atTarget;
                    } else {
                        list = mode === 'before' ? idx.before : mode === 'after' ? idx.after : mode === 'alt' ? idx.alt : undefined;
                    }
                    if (!list) { idx.unsupported.push({ probe: p, what: `${e.rule}:${mode}` }); continue; }
                    (list[e.op.index] ??= []).push({ probe: p, mode });
                }
                continue;
            }
            switch (e.rule) {
                case 'wasm:func:entry': idx.funcEntry.push(p); break;
                case 'wasm:func:exit': idx.funcExit.push(p); break;
                case 'wasm:block:start': idx.blockStart.push(p); break;
                case 'wasm:block:end': idx.blockEnd.push(p); break;
                case 'wasm:begin': idx.begin.push(p); break;
                case 'wasm:end': idx.end.push(p); break;
                case 'wasm:report': idx.report.push(p); break;
            }
        }
    }
    return idx;
}

/** A type bound (`arg0: i32`) accepts a site value when both live in the same wasm value type. */
export function boundAccepts(bound: string, actual: ValType | undefined): boolean {
    if (actual === undefined) return false;
    return valTypeOf(bound as WType) === actual;
}
