// Langium 4.4 (through its parser library) calls Object.groupBy / Map.groupBy, which Node 20 lacks.
// Every entry point (CLI, language server, tests, the generator) imports this first.
type KeyFn<T, K> = (item: T, index: number) => K;

if (typeof (Object as any).groupBy !== 'function') {
    Object.defineProperty(Object, 'groupBy', {
        configurable: true, writable: true,
        value<T>(items: Iterable<T>, key: KeyFn<T, PropertyKey>) {
            const out: Record<PropertyKey, T[]> = Object.create(null);
            let i = 0;
            for (const item of items) (out[key(item, i++)] ??= []).push(item);
            return out;
        }
    });
}
if (typeof (Map as any).groupBy !== 'function') {
    Object.defineProperty(Map, 'groupBy', {
        configurable: true, writable: true,
        value<T, K>(items: Iterable<T>, key: KeyFn<T, K>) {
            const out = new Map<K, T[]>();
            let i = 0;
            for (const item of items) {
                const k = key(item, i++);
                const list = out.get(k);
                if (list) list.push(item); else out.set(k, [item]);
            }
            return out;
        }
    });
}
export {};
