// Typed access to the `whamm.*` settings declared in package.json (contributes.configuration).
// Paths may be relative to the first workspace folder, so users can commit them in .vscode/settings.json.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AppDir } from './cliProcess.js';

export const SECTION = 'whamm';

export interface WhammSettings {
    /** Absolute path of the app to instrument, or undefined when none is configured. */
    app: string | undefined;
    args: string[];
    /** Environment variables granted to the app (it sees none other). */
    env: Record<string, string>;
    /** Directories granted to the app (it sees none other); host paths absolute. */
    dirs: AppDir[];
    /** library name -> absolute path of its .wasm */
    userLibs: Record<string, string>;
    /** A whamm executable to use instead of the bundled out/cli.cjs. */
    cliPath: string | undefined;
}

export function workspaceRoot(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export function resolveWorkspacePath(p: string): string {
    if (path.isAbsolute(p)) return p;
    const root = workspaceRoot();
    return root ? path.join(root, p) : path.resolve(p);
}

function stringRecord(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) {
            if (v !== undefined && v !== null) out[k] = String(v);
        }
    }
    return out;
}

/** `whamm.dirs`: "HOST[::GUEST]" strings or { host, guest?, readOnly? } objects; relative hosts from the workspace. */
export function dirList(value: unknown): AppDir[] {
    if (!Array.isArray(value)) return [];
    const out: AppDir[] = [];
    for (const item of value) {
        if (typeof item === 'string' && item.trim()) {
            const [host, guest] = item.split('::');
            out.push({ host: resolveWorkspacePath(host.trim()), guest: guest?.trim() || host.trim() });
        } else if (item && typeof item === 'object' && typeof (item as { host?: unknown }).host === 'string') {
            const d = item as { host: string; guest?: unknown; readOnly?: unknown };
            out.push({ host: resolveWorkspacePath(d.host), guest: typeof d.guest === 'string' && d.guest ? d.guest : d.host, readOnly: d.readOnly === true });
        }
    }
    return out;
}

export function readSettings(scope?: vscode.ConfigurationScope): WhammSettings {
    const cfg = vscode.workspace.getConfiguration(SECTION, scope);
    const app = cfg.get<string>('app')?.trim();
    const cliPath = cfg.get<string>('cliPath')?.trim();
    const args = cfg.get<unknown>('args');
    const userLibs = stringRecord(cfg.get('userLibs'));
    for (const k of Object.keys(userLibs)) userLibs[k] = resolveWorkspacePath(userLibs[k]);
    return {
        app: app ? resolveWorkspacePath(app) : undefined,
        args: Array.isArray(args) ? args.map(String) : [],
        env: stringRecord(cfg.get('env')),
        dirs: dirList(cfg.get('dirs')),
        userLibs,
        cliPath: cliPath ? resolveWorkspacePath(cliPath) : undefined,
    };
}
