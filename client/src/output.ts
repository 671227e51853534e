// The "Whamm" output channel: what the extension and the CLI runs have to say (app output, reports,
// errors), as plain text. The language client logs into its own log channel ("Whamm Language Server"),
// whose timestamped entries would chop streamed app output apart. It also keeps a bounded tail of what the extension wrote, which the extension API exposes so the
// integration tests can check what a user would read there.
import * as vscode from 'vscode';

const TAIL_LIMIT = 256 * 1024;

export class WhammOutput implements vscode.Disposable {
    readonly channel: vscode.OutputChannel;
    private tail = '';

    constructor(name = 'Whamm') {
        this.channel = vscode.window.createOutputChannel(name);
    }

    append(text: string): void {
        this.channel.append(text);
        this.tail += text;
        if (this.tail.length > TAIL_LIMIT) this.tail = this.tail.slice(this.tail.length - TAIL_LIMIT / 2);
    }

    appendLine(text: string): void {
        this.append(text + '\n');
    }

    show(preserveFocus = true): void {
        this.channel.show(preserveFocus);
    }

    /** The most recent text written through this object (not the language server's own log). */
    recentText(): string {
        return this.tail;
    }

    dispose(): void {
        this.channel.dispose();
    }
}
