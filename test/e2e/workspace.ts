// Prepares the folder the e2e runs open: the fixture scripts, plus app.wasm compiled from app.wat here
// (wabt), so no binary fixture is committed. Each run starts from a fresh copy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import wabt from 'wabt';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const FIXTURES = path.join(PROJECT_ROOT, 'test', 'e2e', 'fixtures', 'workspace');

export async function prepareWorkspace(dest: string): Promise<string> {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    const w = await wabt();
    for (const name of fs.readdirSync(FIXTURES)) {
        const src = path.join(FIXTURES, name);
        if (name.endsWith('.wat')) {
            const mod = w.parseWat(name, fs.readFileSync(src, 'utf8'));
            mod.resolveNames();
            mod.validate();
            fs.writeFileSync(path.join(dest, name.replace(/\.wat$/, '.wasm')), mod.toBinary({}).buffer);
            mod.destroy();
        } else {
            fs.copyFileSync(src, path.join(dest, name));
        }
    }
    return dest;
}

/** VS Code user settings that keep the test window quiet and deterministic. */
export const USER_SETTINGS = {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'files.autoSave': 'off',
    'window.restoreWindows': 'none',
};

export function writeUserSettings(userDataDir: string, overrides: Record<string, unknown> = {}): void {
    const dir = path.join(userDataDir, 'User');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...overrides }, null, 2));
}
