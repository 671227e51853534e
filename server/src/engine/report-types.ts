// The report layout's shape: what the engine writes and the runner reads (see report-layout.ts).

export interface ReportVar {
    name: string;
    /** Whamm type as printed in the report (`u32`, `map<(u32,u32),u32>`). */
    type: string;
    /** Per-site variables only. */
    fname?: string;
    fid?: number;
    pc?: number;
    /** `<n>_<matched rule>`. */
    probe?: string;
    /** Index into the concatenated reader results (a map's slot holds its id in the runtime). */
    slot: number;
    /**
     * Script globals only: what the report's id column prints. The global indices the value occupies in
     * the instrumented module, laid out as the reference lays them out (engine/global-numbering.ts: a
     * str takes two, a tuple one per flattened value); for a map, its id in the runtime.
     */
    ids?: number[];
}

export interface ReportLayout {
    version: 1;
    script: string;
    vars: ReportVar[];
    /** Reader exports in slot order; each returns `count` i64 values. */
    readers: { export: string; count: number }[];
    /** Present when the script has wasm:end / wasm:report probes. */
    end?: string;
    /**
     * Counter increments merged over instructions that may trap. Flat records: function index, code offset of
     * the instruction (from the start of the function's instructions, after its locals), k, then k triples
     * (first slot, slot count, n): if the app traps there, each of those slots counted n sites that never ran.
     */
    trapFixups?: number[] | Int32Array;
    /** The triples of trapFixups name report rows (first row, row count, n) instead of slots: rows share slots. */
    fixupRows?: boolean;
    /**
     * Per-site counters kept in an exported memory: slot firstSlot + c is cell c of it (8 bytes, a
     * little-endian i64; an i32 counter in its low half), after the readers' slots.
     */
    counterMemory?: { export: string; cells: number; firstSlot: number };
}
