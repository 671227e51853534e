// The string table of the instrumentation in progress, reachable from the constant encoders (which
// have no compiler at hand). Set by the instrumenter for the duration of one instrumentation.
let interner: ((s: string) => number) | undefined;

export function setStringInterner(fn: ((s: string) => number) | undefined): void {
    interner = fn;
}

/** Forgets `fn` if it is still the interner (the instrumentation it belongs to is over: let it be collected). */
export function clearStringInterner(fn: (s: string) => number): void {
    if (interner === fn) interner = undefined;
}

/** The run-time handle (an i32 into the runtime's string table) of a string known now. */
export function stringHandle(s: string): number {
    if (!interner) throw new Error('string values need an instrumentation in progress');
    return interner(s);
}
