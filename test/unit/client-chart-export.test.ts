// Chart export: the data URL the Report view's page sends back becomes the file's bytes, for both forms the
// page produces (SVG markup percent-encoded with a charset parameter, PNG in base64), and anything else is
// refused with a reason instead of writing a broken file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartFileContent, dataUrlBytes } from '../../client/src/report/chartFile.js';

const SVG = '<svg width="900" height="120" xmlns="http://www.w3.org/2000/svg"><text>main</text><text>10</text></svg>';
// The smallest PNG header: signature and the start of an IHDR chunk.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

test('an SVG data URL with a charset parameter gives the markup back', () => {
    const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`;
    assert.equal(dataUrlBytes(url)?.toString('utf8'), SVG);
    const c = chartFileContent('svg', url);
    assert.ok('bytes' in c);
    assert.equal(c.bytes.toString('utf8'), SVG);
});

test('a base64 PNG data URL gives the bytes back, signature first', () => {
    const url = `data:image/png;base64,${PNG.toString('base64')}`;
    const c = chartFileContent('png', url);
    assert.ok('bytes' in c);
    assert.deepEqual([...c.bytes], [...PNG]);
});

test('base64 SVG and parameters in any case are read too', () => {
    const url = `data:image/svg+xml;Charset=UTF-8;BASE64,${Buffer.from(SVG).toString('base64')}`;
    const c = chartFileContent('svg', url);
    assert.ok('bytes' in c);
    assert.equal(c.bytes.toString('utf8'), SVG);
});

test('no answer, no data URL, or another format than asked is an error, not a file', () => {
    assert.deepEqual(chartFileContent('svg', undefined), { error: 'the Report view did not draw this chart' });
    assert.deepEqual(chartFileContent('svg', 'not a url'), { error: 'the Report view sent no image' });
    assert.deepEqual(chartFileContent('png', `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}`), { error: 'the Report view sent no PNG image' });
    assert.deepEqual(chartFileContent('svg', `data:image/png;base64,${PNG.toString('base64')}`), { error: 'the Report view sent no SVG image' });
    assert.deepEqual(chartFileContent('svg', 'data:image/svg+xml,%E0%A4%A'), { error: 'the Report view sent no image' });
});
