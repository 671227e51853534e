// The "N sites" picker: a probe's sites grouped by function and source file, each with its instruction as
// WAT; moving through the list moves the injection preview (when it is open) to the site.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProbeSites, SiteLocation } from '../../../server/src/protocol.js';
import { groupSites, siteSourceProblem } from './model.js';

export const REVEAL_SITE = 'whamm.revealInjectionSite';

type Item = vscode.QuickPickItem & { site?: SiteLocation };

export async function pickSite(script: vscode.Uri, p: ProbeSites, root?: string): Promise<void> {
    const items: Item[] = [];
    for (const g of groupSites(p.sites, root)) {
        items.push({ label: `${g.label} (${g.sites.length})`, kind: vscode.QuickPickItemKind.Separator });
        for (const s of g.sites) {
            items.push({
                label: s.instr ?? `pc ${s.pc}`,
                description: `pc ${s.pc}${s.file ? ` · ${path.basename(s.file)}:${s.line}` : ''}`,
                detail: s.file ? undefined : `offset 0x${s.offset.toString(16)} (no source location)`,
                site: s,
            });
        }
    }
    const qp = vscode.window.createQuickPick<Item>();
    const more = p.count > p.sites.length ? ` (first ${p.sites.length} listed)` : '';
    qp.title = `${p.count} site${p.count === 1 ? '' : 's'} of ${p.rule}${more}`;
    qp.matchOnDescription = true;
    qp.items = items;
    qp.onDidChangeActive(a => {
        const s = a[0]?.site;
        if (s) void vscode.commands.executeCommand(REVEAL_SITE, script.toString(), s.fid, s.pc);
    });
    const picked = await new Promise<Item | undefined>(resolve => {
        qp.onDidAccept(() => { resolve(qp.selectedItems[0]); qp.hide(); });
        qp.onDidHide(() => resolve(undefined));
        qp.show();
    });
    qp.dispose();
    const s = picked?.site;
    if (!s) return;
    const problem = siteSourceProblem(s, f => fs.existsSync(f));
    if (problem) {
        void vscode.window.showWarningMessage(problem);
    } else {
        const pos = new vscode.Position(Math.max(0, (s.line ?? 1) - 1), Math.max(0, (s.column ?? 1) - 1));
        await vscode.window.showTextDocument(vscode.Uri.file(s.file!), { selection: new vscode.Range(pos, pos) });
    }
}
