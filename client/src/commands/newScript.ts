// Opens an untitled Whamm script with a small, valid probe so a first-time user has something to run.
import * as vscode from 'vscode';

const STARTER = `// Count how often each conditional branch is reached, per function.
report var taken: map<u32, u32>;

wasm:opcode:br_if:before {
    taken[fid]++;
}
`;

export async function newScript(): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument({ language: 'whamm', content: STARTER });
    return vscode.window.showTextDocument(doc);
}
