// Heat scale for the hot-spot overlay: execution counts -> one of a few colour levels. Counts spread over
// orders of magnitude (a loop body vs. its setup), so the levels are logarithmic: each level covers an equal
// share of log(count) between 1 and the hottest line. Also how heat follows edits. Pure (no vscode): unit-tested.

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
 * The heat hue: amber (hue 40°), one hue for every level, only its opacity grows with the count. It is
 * neither the red VS Code gives uncovered code nor the green of covered code, so heat never reads as
 * coverage, and lines that never ran get no heat at all (their coverage marking stays VS Code's own).
 */
export const HEAT_RGB: Record<ThemeKind, [number, number, number]> = { light: [232, 145, 0], dark: [255, 184, 28] };

/** Background colour of a level: the heat hue at an opacity that grows with the level (a little more on dark themes). */
export function heatColor(level: number, theme: ThemeKind): string {
    if (level <= 0) return 'transparent';
    const t = (Math.min(level, HEAT_LEVELS) - 1) / (HEAT_LEVELS - 1);
    const [r, g, b] = HEAT_RGB[theme];
    const alpha = theme === 'dark' ? 0.10 + 0.32 * t : 0.10 + 0.34 * t;
    return `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(2)})`;
}

/** High-contrast themes get no background (it would hide the text's contrast): a left bar whose width grows with the level. */
export function heatBarWidth(level: number): number {
    return level <= 0 ? 0 : 1 + Math.min(level, HEAT_LEVELS);
}

/** The hue of `rgba(...)` in degrees (for tests that keep heat apart from coverage's red and green). */
export function hueOf(rgba: string): number {
    const m = /rgba?\((\d+), (\d+), (\d+)/.exec(rgba);
    if (!m) return NaN;
    const [r, g, b] = [m[1], m[2], m[3]].map(x => Number(x) / 255);
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
}

/**
 * Moves per-line values along with an edit: lines after a change move by the lines it added or removed,
 * lines inside a replaced range are dropped. A change that starts inside a line leaves that line's value
 * where it is; one that starts at column 0 carries the last replaced line's value to where its text now
 * is (inserting a line above moves the line down). Changes are applied in the order given (VS Code lists
 * them so that each applies to the text left by the ones before it).
 */
export function shiftLines<V>(values: ReadonlyMap<number, V>, changes: readonly LineChange[]): Map<number, V> {
    let cur = new Map(values);
    for (const c of changes) {
        const delta = c.newLines - (c.endLine - c.startLine);
        const next = new Map<number, V>();
        for (const [line, v] of cur) {
            if (line < c.startLine || (line === c.startLine && !c.atLineStart)) next.set(line, v);
            else if (line > c.endLine || (line === c.endLine && c.atLineStart)) next.set(line + delta, v);
            // lines inside the replaced range are gone
        }
        cur = next;
    }
    return cur;
}

/** One text change in line terms (1-based lines of the text before it). */
export interface LineChange { startLine: number; endLine: number; newLines: number; atLineStart?: boolean }

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

/** "1 call", "2 calls", "1,000 calls". */
export function plural(n: number, word: string): string {
    return `${formatCount(n)} ${word}${Math.round(n) === 1 ? '' : 's'}`;
}
