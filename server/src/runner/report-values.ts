// The report of a run as values (protocol ReportVariable): what the editor shows and charts. Built from
// the same layout and slots as the printed flush, so both say the same; maps come entry by entry.
import type { ReportLayout } from '../engine/report-layout.js';
import type { ReportVariable } from '../protocol.js';
import type { RuntimeLink } from '../runtime/link.js';
import { formatScalar } from '../runtime/value-format.js';

export function reportVariables(layout: ReportLayout, slots: ArrayLike<bigint>, link: Pick<RuntimeLink, 'formatValue' | 'runtime'>): ReportVariable[] {
    return layout.vars.map(v => {
        const site = v.fid !== undefined
            ? { fname: v.fname ?? '', fid: v.fid, pc: v.pc, probe: v.probe }
            : {};
        if (v.type.startsWith('map<') && link.runtime) {
            const entries: { key: string; value: string }[] = [];
            link.runtime.mapLines(Number(slots[v.slot] ?? 0n), (key, value) => { entries.push({ key, value }); return ''; });
            return { name: v.name, type: v.type, kind: 'map', ...site, entries };
        }
        const value = link.formatValue(v, slots) ?? formatScalar(slots[v.slot] ?? 0n, v.type);
        return { name: v.name, type: v.type, kind: v.fid !== undefined ? 'site' : 'global', ...site, value };
    });
}
