// What the user grants an app on the command line of `run` and `coverage`. Nothing by default; each
// grant is explicit:
//   --env K=V            the variable K with value V (repeatable); --env K passes the CLI's own value of K
//   --dir HOST[::GUEST]  the host directory HOST, read-write, seen by the app as GUEST (default: HOST as typed)
//   --dir-ro HOST[::GUEST]  the same, read-only
import fs from 'node:fs';
import type { DirGrant } from '../runner/wasi.js';
import { GRANT_OPTIONS, UsageError, type ParsedArgs } from './args.js';
import { InputError } from './io.js';

export interface Grants {
    env: Record<string, string>;
    dirs: DirGrant[];
}

export const GRANTS_HELP = `  --env K=V             give the app the environment variable K (repeatable); --env K passes
                        whamm's own value of K. By default the app sees no variable at all.
  --dir HOST[::GUEST]   let the app read and write the host directory HOST, which it sees as GUEST
                        (default: HOST as written); repeatable. By default it sees no directory.
  --dir-ro HOST[::GUEST]  the same, read-only`;

export const GRANT_VALUED = [...GRANT_OPTIONS];

export function parseGrants(a: ParsedArgs): Grants {
    const env: Record<string, string> = {};
    for (const spec of a.all.get('env') ?? []) {
        const eq = spec.indexOf('=');
        const key = eq < 0 ? spec : spec.slice(0, eq);
        if (!key || key.includes('\0') || /\s/.test(key)) throw new UsageError(`--env expects K=V with a variable name K, got '${spec}'`);
        if (eq >= 0) env[key] = spec.slice(eq + 1);
        else if (process.env[key] !== undefined) env[key] = process.env[key]!;
        else throw new UsageError(`--env ${key}: whamm's environment has no variable ${key} to pass on (write --env ${key}=VALUE)`);
    }
    const dirs: DirGrant[] = [];
    for (const opt of ['dir', 'dir-ro'] as const) {
        for (const spec of a.all.get(opt) ?? []) {
            const sep = spec.indexOf('::');
            const host = sep < 0 ? spec : spec.slice(0, sep);
            const guest = sep < 0 ? spec : spec.slice(sep + 2);
            if (!host || !guest) throw new UsageError(`--${opt} expects HOST[::GUEST], got '${spec}'`);
            let st: fs.Stats;
            try { st = fs.statSync(host); } catch { throw new InputError(`--${opt}: directory not found: ${host}`); }
            if (!st.isDirectory()) throw new InputError(`--${opt}: not a directory: ${host}`);
            dirs.push({ host, guest, readOnly: opt === 'dir-ro' });
        }
    }
    return { env, dirs };
}
