// The report of a run as values (protocol ReportVariable): what the editor shows and charts. Built from
// the same layout and slots as the printed flush, so both say the same; maps come entry by entry.
import { forEachRow, type ReportLayout, type ReportVar } from '../engine/report-layout.js';
import type { ReportVariable } from '../protocol.js';
import type { RuntimeLink } from '../runtime/link.js';
import { formatScalar } from '../runtime/value-format.js';

/** The first `rows` rows (all by default); `adjust` takes counts back from rows (trap fix-ups that name rows). */
export function reportVariables(layout: ReportLayout, slots: ArrayLike<bigint>, link: Pick<RuntimeLink, 'formatValue' | 'runtime'>,
    adjust?: ReadonlyMap<number, bigint>, rows = Infinity): ReportVariable[] {
    const out: ReportVariable[] = [];
    forEachRow(layout, 0, rows, (v, i) => { out.push(variable(v, i)); });
    return out;
    function variable(v: ReportVar, i: number): ReportVariable {
        const site = v.fid !== undefined
            ? { fname: v.fname ?? '', fid: v.fid, pc: v.pc, probe: v.probe }
            : {};
        if (v.type.startsWith('map<') && link.runtime) {
            const entries: { key: string; value: string }[] = [];
            link.runtime.mapLines(Number(slots[v.slot] ?? 0n), (key, value) => { entries.push({ key, value }); return ''; });
            return { name: v.name, type: v.type, kind: 'map', ...site, entries };
        }
        const n = adjust?.get(i);
        const value = n !== undefined ? formatScalar(BigInt.asIntN(64, (slots[v.slot] ?? 0n) - n), v.type)
            : link.formatValue(v, slots) ?? formatScalar(slots[v.slot] ?? 0n, v.type);
        return { name: v.name, type: v.type, kind: v.fid !== undefined ? 'site' : 'global', ...site, value };
    }
}
