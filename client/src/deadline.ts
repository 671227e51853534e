// A bounded wait for an answer of the language server (or any provider VS Code calls): a stuck server must
// never leave a command or a CodeLens waiting forever. The caller says what to tell the user on time-out.

/** How long a command waits for the language server's answer before giving up with a message. */
export const SERVER_ANSWER_MS = 20_000;

export class NoAnswer extends Error {
    constructor(readonly what: string, readonly ms: number) {
        super(`${what} did not answer within ${Math.round(ms / 1000)} s`);
    }
}

/** `p`, or a rejection with NoAnswer when it has not settled after `ms`. */
export function withDeadline<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new NoAnswer(what, ms)), ms); });
    return Promise.race([Promise.resolve(p), late]).finally(() => clearTimeout(timer));
}
