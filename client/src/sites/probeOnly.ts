// "Run this probe": the script with every other probe turned into line comments, so only the chosen
// probe is instrumented while declarations (globals, report variables, functions) stay. Pure: unit-tested.

/** A probe's lines, 0-based and inclusive (the range of its document symbol). */
export interface ProbeLines { start: number; end: number }

export function keepOnlyProbe(text: string, probes: readonly ProbeLines[], keep: number): string {
    const lines = text.split('\n');
    probes.forEach((p, i) => {
        if (i === keep) return;
        for (let l = p.start; l <= p.end && l < lines.length; l++) lines[l] = `// ${lines[l]}`;
    });
    return lines.join('\n');
}
