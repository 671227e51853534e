// The directory tree the sandbox tests and the sandbox fuzzer run an app in: a granted directory with a
// file, a subdirectory and three ways out (an absolute link, a relative link, a link through `..`), and
// beside it a directory that must stay out of reach, holding a secret.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The text of the file outside the grant: an app's output containing it has escaped. */
export const OUTSIDE_SECRET = 'secret-outside';

export interface SandboxTree { tmp: string; granted: string; outside: string }

export function makeSandboxTree(prefix: string): SandboxTree {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const granted = path.join(tmp, 'granted');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(granted, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(granted, 'inside.txt'), 'inside\n');
    fs.writeFileSync(path.join(outside, 'secret.txt'), `${OUTSIDE_SECRET}\n`);
    fs.symlinkSync(outside, path.join(granted, 'abs-link'));
    fs.symlinkSync('../outside', path.join(granted, 'rel-link'));
    fs.symlinkSync('sub/../../outside/secret.txt', path.join(granted, 'sneaky'));
    return { tmp, granted, outside };
}
