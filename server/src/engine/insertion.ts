// Code queued for insertion into an app function, and the compiled probe code it comes from.
import type { Template } from './emit.js';
import type { OpcodeProbe } from './probes-at-site.js';
import type { SiteInfo } from './site.js';
import type { BlockSignature } from './block-signature.js';
import type { Const, ValType } from './types.js';
import type { BatchSpec } from './map-batch.js';

export interface CompiledProbe {
    template: Template;
    /** Initial values of the probe's per-site variables at this site. */
    inits: Const[];
    /**
     * An `after` probe reading operands: they are saved before the instruction into locals of these types,
     * which are the template's first locals (see Insertion.pins).
     */
    argsBefore?: ValType[];
    /** Stores the run-time initial values of per-site variables; runs once in the start-up function. */
    startInit?: Template;
    /** Batched map increments (map-batch.ts): 4 more globals per site each, after the probe's variables. */
    batches?: BatchSpec[];
}

export interface BlockProbeSite { op: OpcodeProbe; site: SiteInfo; rule: string }
/** alt on a block: the probe, the opening's site and operands, and where the replaced code begins. */
export interface BlockAlt {
    op: OpcodeProbe; site: SiteInfo; pops: ValType[]; results: ValType[]; opidx: number; pc: number; start: number;
    /** Nesting level of the replaced construct (1 = outermost), for labels leaving it (branch-targets.ts). */
    level: number;
    /** alt on else: the else arm is replaced; the if's signature decides whether an else arm must stay. */
    elseArm?: boolean;
    ifSig?: BlockSignature;
}
export interface BlockFrame {
    exit: BlockProbeSite[]; after: BlockProbeSite[];
    /** alt candidates, tried in order at the `end` until one is placed (an if's come before its else's). */
    alts: BlockAlt[];
    /** Module offset of the opening (the if's, for an else). */
    openStart: number;
}

/** Code wrapped around a compiled probe body at one kind of site (part of the code cache key). */
export interface TemplateWrap { key: string; apply(t: Template): Template }

export interface Insertion {
    /** Index of the instruction in the function; the code goes before it, or after it when `after`. */
    at: number;
    after: boolean;
    /** Module offset the code goes at (the instruction's start, or its end for `after`). */
    cut: number;
    /** alt: the instruction (up to this offset) is replaced by the code. */
    skipTo?: number;
    template: Template;
    siteGlobals: ArrayLike<number>;
    /**
     * The template's first locals are the function's pinned locals with these ids, not pooled scratch: the
     * value lives from one insertion to another (operands saved before a call, read after it), so other
     * probes' scratch code in between must not reuse them.
     */
    pins?: Int32Array;
}

/** Types scratch locals can have (pooled per type); a typed reference (`ref`) cannot be saved. */
export const SCRATCH_ORDER: ValType[] = ['i32', 'i64', 'f32', 'f64', 'v128', 'funcref', 'externref'];
export const N_SCRATCH = SCRATCH_ORDER.length;
export const NO_GLOBALS = new Int32Array(0);
