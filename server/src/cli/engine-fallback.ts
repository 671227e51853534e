// Running a command again in a Node that can run the module (see runner/capable-node.ts): the same
// argv in a child Node 22 process with inherited stdio; its exit code becomes ours.
import { spawn } from 'node:child_process';
import { CHILD_ENV, engineFeatureGap, featureText, findCapableNode, inCapableChild, NoCapableNodeError } from '../runner/capable-node.js';
import { InputError } from './io.js';

/**
 * When this engine cannot compile one of `modules` for lack of a Wasm proposal, reruns the whole command
 * in a capable Node and returns its exit code; undefined when this engine can run them all.
 */
export async function rerunWhereSupported(command: string, modules: Iterable<Uint8Array>): Promise<number | undefined> {
    let feature: string | undefined;
    for (const m of modules) {
        feature = await engineFeatureGap(m);
        if (feature) break;
    }
    if (!feature || inCapableChild()) return undefined;
    const node = findCapableNode();
    if (!node) throw new InputError(new NoCapableNodeError(feature).message);
    process.stderr.write(`whamm ${command}: Node ${process.versions.node} lacks WebAssembly ${featureText(feature)}; running in Node ${node.major} (${node.path})\n`);
    const args = [...process.execArgv, process.argv[1], ...process.argv.slice(2)];
    return new Promise<number>((resolve, reject) => {
        const child = spawn(node.path, args, { stdio: 'inherit', env: { ...process.env, [CHILD_ENV]: '1' } });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
}
