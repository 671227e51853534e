// In-process CPU time of a re-validation after an edit, per build phase (1 parsed ... 6 validated), with what
// the incremental parse and check reused, on the generated script of test/bench/lsp.bench.ts: `npx tsx test/bench/lsp-phases.bench.ts [LINES] [EDITS]`.
import { EmptyFileSystemProvider, URI } from 'langium';
import '../../server/src/polyfill.js';
import { createWhammServices } from '../../server/src/language/whamm-module.js';
import { generate } from './lsp.bench.js';
import { incrementalCheckStats } from '../../server/src/language/whamm-validator.js';
const N = Number(process.argv[2] ?? 2000);
const text = generate(N);
const texts = new Map<string, string>();
class M extends EmptyFileSystemProvider { override async readFile(...a: unknown[]) { return texts.get(String(a[0]))!; } override stat(uri: URI): never { return { uri, isFile: true, isDirectory: false } as never; } }
const { shared } = createWhammServices({ fileSystemProvider: () => new M() });
const uri = URI.file('/x.mm');
const lines = text.split('\n');
const mid = lines.findIndex((l, k) => k > N / 2 && l.includes('total = total + (helper'));
const ed = [...lines]; ed[mid] = ed[mid].replace('total = total', 'total = total + 1');
const variants = [ed.join('\n'), text];
texts.set(uri.toString(), text);
await shared.workspace.DocumentBuilder.update([uri], []);
const b = shared.workspace.DocumentBuilder;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const phases = new Map<number, number>();
let last = cpu();
for (const st of [1, 2, 3, 4, 5, 6]) b.onBuildPhase(st as never, () => { const t = cpu(); phases.set(st, (phases.get(st) ?? 0) + t - last); last = t; });
const times: number[] = [];
const K = Number(process.argv[3] ?? 100);
for (let k = 0; k < K; k++) {
  texts.set(uri.toString(), variants[k % 2]);
  const t = cpu(); last = t;
  await b.update([uri], []);
  times.push(cpu() - t);
}
times.sort((a, b) => a - b);
console.log('CPU ms per edit: median', times[K >> 1].toFixed(1), 'mean', (times.reduce((a, b) => a + b) / K).toFixed(1), 'phases', [...phases].map(([k, v]) => `${k}:${(v / K).toFixed(1)}`).join(' '), 'parse', (shared.workspace.LangiumDocumentFactory as any).lastStats,
  'check', incrementalCheckStats(shared.workspace.LangiumDocuments.getDocument(uri)!));
