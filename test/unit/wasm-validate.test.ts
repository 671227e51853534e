// Our own index checks (used where the JS engine cannot validate a module's features): every index an
// instruction, export or start names must exist, every label must be an enclosing block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wat } from '../support/wat.js';
import { decodeModule } from '../../server/src/wasm/decode.js';
import { checkIndices } from '../../server/src/wasm/validate.js';

async function problem(body: string, extra = ''): Promise<string | undefined> {
    const m = decodeModule(await wat(`(module (memory 1) (global $g (mut i32) (i32.const 0)) (table 1 funcref) ${extra}
      (func $f (param i32) (result i32) ${body}) (export "f" (func $f)))`));
    return checkIndices(m)?.message;
}

test('a valid body passes', async () => {
    assert.equal(await problem('block (result i32) local.get 0 br 0 end global.get 0 i32.add'), undefined);
    assert.equal(await problem('block $a loop $b local.get 0 br_table $a $b $a end end i32.const 0'), undefined);
});

test('dangling indices and labels are reported with what they name', async () => {
    assert.match((await problem('global.get 3'))!, /global.get in function 0 names global 3/);
    assert.match((await problem('local.get 4'))!, /names local 4/);
    assert.match((await problem('local.get 0 call 7'))!, /names func 7/);
    assert.match((await problem('block local.get 0 br_if 2 end i32.const 0'))!, /names label 2/);
    assert.match((await problem('block local.get 0 br_table 0 1 5 end i32.const 0'))!, /names label 5/);
    assert.match((await problem('i32.const 0 table.get 4 drop i32.const 0'))!, /names table 4/);
});
