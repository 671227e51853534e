// The shapes of the front-end's view of the event catalog (see catalog-view.ts).
import { type Type } from './types.js';
import type { OpInfo } from '../wasm/opcodes.js';

export interface BoundVarDef {
    /** Exact name (`effective_addr`), or the family prefix (`arg`) when `indexed`. */
    name: string;
    type: Type;
    /** Known at instrumentation time (folded into code). */
    isStatic: boolean;
    /** A family `argN`/`resN`/`immN`/`localN`: any index >= `from`. */
    indexed?: boolean;
    from?: number;
    /** Only available in these modes (`resN`: after); undefined = every mode. */
    modes?: readonly string[];
    doc?: string;
}

export interface BoundFnDef {
    name: string;
    params: { name: string; type: Type }[];
    result: Type;
    doc?: string;
}

export interface EventDef {
    /** `wasm:opcode:br_if`, `wasm:func:entry`, `wasm:begin`. */
    rule: string;
    parts: string[];
    /** Other spellings of the event part a glob may use (`i32.atomic_load`). */
    aliases: readonly string[];
    /** Supported modes; empty for mode-less events (`wasm:func:entry`). */
    modes: readonly string[];
    vars: BoundVarDef[];
    fns: BoundFnDef[];
    doc?: string;
    /** Mnemonic category (`load`, `branch`, ...) of opcode events, for completion details. */
    category?: string;
    /** The instruction of an opcode event. */
    op?: OpInfo;
}

export interface CatalogView {
    events: readonly EventDef[];
    /** Bound variables of every probe (`fid`, `pc`, `localN`, ...). */
    providerVars: readonly BoundVarDef[];
    /** Every mode name, for completion. */
    modes: readonly string[];
    modeDoc(mode: string): string | undefined;
}

