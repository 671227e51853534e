// Entry point loaded by VS Code's extension host (extensionTestsPath). Runs every *.test.cjs beside it with
// Mocha and writes a plain log (and a JSON summary) where the runner can read them, because the extension
// host's console is not the runner's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

function logger(): (line: string) => void {
    const file = process.env.WHAMM_E2E_LOG;
    return (line: string) => {
        console.log(line);
        if (file) fs.appendFileSync(file, line + '\n');
    };
}

/**
 * A window reload (the suite's last test asks the runner for one) restarts the extension host, which runs
 * this entry again: then only the `after reload` tests run, and the counts go on from the first half's.
 */
const RELOAD_MARK = process.env.WHAMM_E2E_UI_DIR ? path.join(process.env.WHAMM_E2E_UI_DIR, 'reloaded.json') : undefined;
export const AFTER_RELOAD = 'after reload';
/** Failures of the whole run, the half before a reload included. */
let totalFailures = 0;

export function run(): Promise<void> {
    const log = logger();
    const reloaded = !!RELOAD_MARK && fs.existsSync(RELOAD_MARK);
    const partial = process.env.WHAMM_E2E_SUMMARY ? `${process.env.WHAMM_E2E_SUMMARY}.partial` : undefined;
    const mocha = new Mocha({ ui: 'bdd', timeout: 30000, color: false, reporter: function (this: unknown, runner: Mocha.Runner) {
        const stats = reloaded && partial && fs.existsSync(partial)
            ? JSON.parse(fs.readFileSync(partial, 'utf8')) as { passes: number; failures: number; pending: number; failed: { title: string; error: string }[] }
            : { passes: 0, failures: 0, pending: 0, failed: [] as { title: string; error: string }[] };
        const save = () => { if (partial) fs.writeFileSync(partial, JSON.stringify(stats)); };
        runner.on(EVENT_SUITE_BEGIN, (s: Mocha.Suite) => { if (s.title) log(`\n${s.fullTitle()}`); });
        runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => { stats.passes++; log(`  ✔ ${t.title} (${t.duration ?? 0} ms)`); });
        runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => { stats.pending++; log(`  - ${t.title} (skipped)`); });
        runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
            stats.failures++;
            stats.failed.push({ title: t.fullTitle(), error: err?.message ?? String(err) });
            log(`  ✖ ${t.title}\n      ${(err?.message ?? String(err)).split('\n').join('\n      ')}`);
        });
        // After the counts above: a reload may end this half at any moment.
        for (const e of [EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING]) runner.on(e, save);
        runner.once(EVENT_RUN_END, () => {
            totalFailures = stats.failures;
            log(`\n${stats.passes} passing, ${stats.failures} failing, ${stats.pending} pending`);
            const summary = process.env.WHAMM_E2E_SUMMARY;
            if (summary) fs.writeFileSync(summary, JSON.stringify(stats, null, 2));
        });
    } as unknown as typeof Mocha.reporters.Base });
    // The restricted-mode tests need an untrusted folder, which only the runner's `restricted` mode opens.
    const grep = process.env.WHAMM_E2E_GREP;
    if (process.env.WHAMM_E2E_MODE === 'restricted') mocha.grep('restricted mode');
    else if (reloaded) mocha.grep(AFTER_RELOAD);
    else if (grep) mocha.grep(new RegExp(`^(?!.*${AFTER_RELOAD}).*${grep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    else mocha.grep(new RegExp(`restricted mode|${AFTER_RELOAD}`)).invert();
    const files = fs.readdirSync(__dirname).filter(f => f.endsWith('.test.cjs')).sort();
    for (const f of files) mocha.addFile(path.join(__dirname, f));
    log(`[e2e] ${files.length} test files, VS Code ${process.env.VSCODE_VERSION ?? ''}`);
    return new Promise((resolve, reject) => {
        mocha.run(failures => {
            const all = Math.max(failures, totalFailures);
            if (all > 0) reject(new Error(`${all} e2e test(s) failed`)); else resolve();
        });
    });
}
