// What completion knows about a script right after an edit, without waiting for the whole script to be
// checked: the script's declarations (globals, `use`d libraries, function signatures) and the one probe or
// function the cursor is in, checked together. Probe and function bodies elsewhere cannot change what is
// offered at the cursor (their locals are not visible there), so they are left out. Once the build has
// checked the whole script, its result is used as it is. A script the editor edits is checked incrementally
// (frontend/check-incremental.ts): there the whole check costs about as much as the edited item's, and
// completion computes the result the build's validation then reuses instead of checking twice.
import type { AstNode } from 'langium';
import { checkScript, failedCheck, type CheckResult } from '../../frontend/checker.js';
import type { FnDef, Probe, Script } from '../generated/ast.js';
import { cachedCheckResult, checkResultOf } from '../whamm-validator.js';
import { isEditedScript } from '../whamm-document-factory.js';

const partial = new WeakMap<Script, WeakMap<AstNode, CheckResult>>();
const TOP = {};

export function completionCheckResult(script: Script, owner: Probe | FnDef | undefined): CheckResult {
    const full = cachedCheckResult(script);
    if (full) return full;
    if (isEditedScript(script)) return checkResultOf(script);
    let byOwner = partial.get(script);
    if (!byOwner) { byOwner = new WeakMap(); partial.set(script, byOwner); }
    const key = owner ?? TOP as AstNode;
    let r = byOwner.get(key);
    if (!r) {
        const items = [];
        for (const item of script.items ?? []) {
            if (item === owner) items.push(item);
            else if (item.$type === 'Use' || item.$type === 'VarDecl') items.push(item);
            // The signature only: the checker declares it from its parameters and result type.
            else if (item.$type === 'FnDef') items.push({ ...item, body: undefined } as unknown as FnDef);
        }
        try {
            r = checkScript({ ...script, items } as Script);
        } catch (e) {
            r = failedCheck(e);
        }
        byOwner.set(key, r);
    }
    return r;
}
