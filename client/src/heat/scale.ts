// Heat scale for the hot-spot overlay: execution counts -> one of a few colour levels. Counts spread over
// orders of magnitude (a loop body vs. its setup), so the levels are logarithmic: each level covers an equal
// share of log(count) between 1 and the hottest line. Pure (no vscode), so it is unit-tested directly.

export const HEAT_LEVELS = 5;

/** 0 for a line that never ran (no overlay), else 1 (coolest) .. HEAT_LEVELS (hottest). */
export function heatLevel(count: number, max: number): number {
    if (!(count > 0) || !(max > 0)) return 0;
    if (max <= 1 || count >= max) return HEAT_LEVELS;
    const f = Math.log(count) / Math.log(max);
    return Math.min(HEAT_LEVELS, 1 + Math.floor(f * HEAT_LEVELS));
}

/** The smallest count that reaches `level` (1..HEAT_LEVELS) when the hottest line ran `max` times. */
export function levelFloor(level: number, max: number): number {
    if (level <= 1 || max <= 1) return 1;
    return Math.ceil(Math.exp(((level - 1) / HEAT_LEVELS) * Math.log(max)) - 1e-9);
}

/** Count ranges per level for the legend, e.g. [{level: 1, from: 1, to: 3}, ...]; empty levels are left out. */
export function legend(max: number): { level: number; from: number; to: number }[] {
    const out: { level: number; from: number; to: number }[] = [];
    for (let level = 1; level <= HEAT_LEVELS; level++) {
        const from = levelFloor(level, max);
        const to = level === HEAT_LEVELS ? max : levelFloor(level + 1, max) - 1;
        if (to >= from && max > 0) out.push({ level, from, to });
    }
    return out;
}

export type ThemeKind = 'light' | 'dark';

/**
 * Background colour of a level: warm hues whose opacity grows with the level. Dark themes get a brighter,
 * more opaque red so hot lines stand out against a dark background without hiding the text.
 */
export function heatColor(level: number, theme: ThemeKind): string {
    if (level <= 0) return 'transparent';
    const l = Math.min(level, HEAT_LEVELS);
    const t = (l - 1) / (HEAT_LEVELS - 1);
    const [r, g, b] = theme === 'dark' ? [255, Math.round(180 - 140 * t), 40] : [255, Math.round(200 - 150 * t), 0];
    const alpha = theme === 'dark' ? 0.12 + 0.33 * t : 0.10 + 0.30 * t;
    return `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(2)})`;
}

/** Share of `total` as a percentage with one decimal ("<0.1%" for tiny non-zero shares). */
export function formatShare(n: number, total: number): string {
    if (!(total > 0)) return 'n/a';
    const p = (100 * n) / total;
    if (p > 0 && p < 0.1) return '<0.1%';
    return `${p.toFixed(1)}%`;
}

/** 1234567 -> "1,234,567" (locale independent, for hovers and the legend). */
export function formatCount(n: number): string {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
