// Writes server/src/wasm/op.generated.ts: one named constant per row of the opcode table
// (server/src/wasm/opcodes.ts), so code that emits instructions spells `OP.i32_add`, never a byte.
// Run after editing the table: `npm run opcodes:generate` (test/unit/wasm-emitter.test.ts checks it is current).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPCODES, opKey, opCodeOf } from '../server/src/wasm/opcodes.ts';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'server', 'src', 'wasm', 'op.generated.ts');
const hex = (n: number) => '0x' + n.toString(16).padStart(n < 0x100 ? 2 : 6, '0');
const lines = [
    '// Generated from the opcode table (opcodes.ts) by .ci/gen-opcode-names.ts: do not edit by hand.',
    '// OP.<name> (dots as underscores) is the instruction\'s code for ByteWriter.op / CodeWriter.op: the opcode',
    '// byte, or prefix << 16 | sub-opcode for prefixed instructions (0xfb, 0xfc, 0xfd, 0xfe).',
    'export const OP = {',
    ...OPCODES.map(o => `    ${opKey(o)}: ${hex(opCodeOf(o))},`),
    '} as const;',
    '',
    '/** An instruction name as an OP key (`i32.add` -> `i32_add`). */',
    'export type OpKey = keyof typeof OP;',
    '',
];
fs.writeFileSync(out, lines.join('\n'));
console.log(`wrote ${path.relative(process.cwd(), out)} (${OPCODES.length} instructions)`);
