// The built-in coverage monitor, written in Whamm itself so the engine instruments it like any script:
// one counter per basic block (line coverage and heat), taken / not-taken counters per `br_if` and `if`
// (branch coverage), and one counter per `br_table` target. Counters are u64 and per site (`report
// unshared`), so the report flush carries them; their names start with `wcov_` to tell them apart from
// a user script run alongside.

/** Targets of a br_table counted one by one; higher targets share one counter ("target >= CAP"). */
export const BR_TABLE_TARGET_CAP = 32;

export const VAR = {
    block: 'wcov_block',
    taken: 'wcov_taken',
    notTaken: 'wcov_not_taken',
    target: 'wcov_target_',
    beyond: 'wcov_target_beyond',
    dflt: 'wcov_target_default',
} as const;

/**
 * The monitor's source. `maxTargets` is the largest br_table label count in the app: probes for target
 * indexes no site has are left out (their predicates would fold to false everywhere anyway).
 */
export function coverageScript(maxTargets: number): string {
    const lines = [
        '// whamm coverage: built-in monitor',
        `wasm:block:start { report unshared var ${VAR.block}: u64; ${VAR.block}++; }`,
        'wasm:opcode:br_if|if:before {',
        `    report unshared var ${VAR.taken}: u64;`,
        `    report unshared var ${VAR.notTaken}: u64;`,
        `    if (arg0 != 0) { ${VAR.taken}++; } else { ${VAR.notTaken}++; }`,
        '}',
    ];
    if (maxTargets > 0) {
        lines.push(`wasm:opcode:br_table:before { report unshared var ${VAR.dflt}: u64; if (arg0 >= num_targets) { ${VAR.dflt}++; } }`);
        const n = Math.min(maxTargets, BR_TABLE_TARGET_CAP);
        for (let k = 0; k < n; k++) {
            lines.push(`wasm:opcode:br_table:before / num_targets > ${k} / { report unshared var ${VAR.target}${k}: u64; if (arg0 == ${k}) { ${VAR.target}${k}++; } }`);
        }
        if (maxTargets > BR_TABLE_TARGET_CAP) {
            lines.push(`wasm:opcode:br_table:before / num_targets > ${BR_TABLE_TARGET_CAP} / { report unshared var ${VAR.beyond}: u64; `
                + `if (arg0 >= ${BR_TABLE_TARGET_CAP} && arg0 < num_targets) { ${VAR.beyond}++; } }`);
        }
    }
    return lines.join('\n') + '\n';
}
