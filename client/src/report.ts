// Splits a `whamm run` transcript into the app's own output and the report section that follows the
// reference's flush banner (SPEC.md, "Running and the report"). The report view (later) parses the rows.
const BANNER = /^=+ REPORT CSV FLUSH =+\s*$/m;

export interface SplitOutput {
    appOutput: string;
    /** CSV text after the banner (header line first), or undefined when no report was flushed. */
    reportCsv: string | undefined;
}

export function splitRunOutput(stdout: string): SplitOutput {
    const m = BANNER.exec(stdout);
    if (!m) return { appOutput: stdout, reportCsv: undefined };
    const after = stdout.slice(m.index + m[0].length).replace(/^\r?\n/, '');
    return { appOutput: stdout.slice(0, m.index), reportCsv: after };
}
