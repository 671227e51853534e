// What a chart export writes: the bytes of the data URL the Report view's page hands back (RFC 2397:
// `data:[<type>][;param=value]*[;base64],<data>`), checked to be the format asked for. Pure, unit-tested.

export type ChartFormat = 'png' | 'svg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The bytes of a data URL, or undefined when it is not one. */
export function dataUrlBytes(url: string): Buffer | undefined {
    const m = /^data:([^,]*),/.exec(url);
    if (!m) return undefined;
    const params = m[1].split(';').map(p => p.trim().toLowerCase());
    const body = url.slice(m[0].length);
    if (params.includes('base64')) return Buffer.from(body, 'base64');
    try {
        return Buffer.from(decodeURIComponent(body), 'utf8');
    } catch {
        return undefined;
    }
}

/** The file content for a chart exported as `format`, or why there is none. */
export function chartFileContent(format: ChartFormat, dataUrl: string | undefined): { bytes: Buffer } | { error: string } {
    if (!dataUrl) return { error: 'the Report view did not draw this chart' };
    const bytes = dataUrlBytes(dataUrl);
    if (!bytes || bytes.length === 0) return { error: 'the Report view sent no image' };
    if (format === 'png' && !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return { error: 'the Report view sent no PNG image' };
    if (format === 'svg' && !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(bytes.subarray(0, 512).toString('utf8'))) return { error: 'the Report view sent no SVG image' };
    return { bytes };
}
