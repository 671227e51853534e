// A small argument parser for the CLI: `--flag`, `--opt VALUE`, `--opt=VALUE`, `-o VALUE`, positionals,
// and everything after `--` passed through to the app.

export class UsageError extends Error {}

export interface ParsedArgs {
    /** The last value of each option. */
    options: Map<string, string | true>;
    /** Every value of each option that takes one, in order (for repeatable options). */
    all: Map<string, string[]>;
    positionals: string[];
    rest: string[];
}

/** `valued` lists the options that take a value (long names without dashes, or short letters). */
export function parseArgs(argv: string[], valued: Set<string>, known: Set<string>): ParsedArgs {
    const options = new Map<string, string | true>();
    const all = new Map<string, string[]>();
    const positionals: string[] = [];
    let rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--') { rest = argv.slice(i + 1); break; }
        if (a.startsWith('-') && a.length > 1) {
            let name = a.replace(/^--?/, '');
            let value: string | undefined;
            const eq = name.indexOf('=');
            if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
            if (!known.has(name)) throw new UsageError(`unknown option ${a}`);
            if (valued.has(name)) {
                if (value === undefined) {
                    if (i + 1 >= argv.length) throw new UsageError(`option ${a} needs a value`);
                    value = argv[++i];
                }
                options.set(name, value);
                all.set(name, [...(all.get(name) ?? []), value]);
            } else {
                if (value !== undefined) throw new UsageError(`option --${name} takes no value`);
                options.set(name, true);
            }
        } else {
            positionals.push(a);
        }
    }
    return { options, all, positionals, rest };
}

/** `a=PATH,b=PATH` -> Map. */
export function parseUserLibs(spec: string | undefined): Map<string, string> {
    const libs = new Map<string, string>();
    if (!spec) return libs;
    for (const part of spec.split(',').map(s => s.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq <= 0 || eq === part.length - 1) throw new UsageError(`--user-libs expects name=PATH[,name=PATH...], got "${part}"`);
        libs.set(part.slice(0, eq), part.slice(eq + 1));
    }
    return libs;
}

/** What `run` and `coverage` grant the app: environment variables and directories (see ./grants.ts). */
export const GRANT_OPTIONS = ['env', 'dir', 'dir-ro'] as const;
