// A command or CodeLens waiting for the language server never waits forever: the wait ends with a message
// saying who did not answer (client/src/deadline.ts). Mocked timers: no real time passes.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { NoAnswer, SERVER_ANSWER_MS, withDeadline } from '../../client/src/deadline.js';

test('a provider that never answers: the wait ends at the deadline with a message naming it', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        const wait = withDeadline(new Promise<never>(() => undefined), SERVER_ANSWER_MS, 'the Whamm language server');
        mock.timers.tick(SERVER_ANSWER_MS);
        await assert.rejects(wait, (e: unknown) => e instanceof NoAnswer
            && e.message === `the Whamm language server did not answer within ${SERVER_ANSWER_MS / 1000} s`);
    } finally {
        mock.timers.reset();
    }
});

test('an answer or a failure before the deadline is passed on as it is', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
        assert.deepEqual(await withDeadline(Promise.resolve([1, 2]), SERVER_ANSWER_MS, 'x'), [1, 2]);
        await assert.rejects(withDeadline(Promise.reject(new Error('boom')), SERVER_ANSWER_MS, 'x'), /^Error: boom$/);
    } finally {
        mock.timers.reset();
    }
});
