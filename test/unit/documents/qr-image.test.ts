import { describe, expect, it } from 'vitest';
import { qrLandingUrl, qrPng, qrSvg } from '../../../server/src/modules/qr/qr.image.ts';
import { issueQrToken } from '../../../server/src/modules/qr/qr.token.ts';
import { decodeQrPng } from '../../helpers/document-fixtures.ts';


describe('QR images', () => {
  it('builds the landing URL on the public base URL', () => {
    expect(qrLandingUrl('http://10.1.2.3:3000/', 'abc.def')).toBe('http://10.1.2.3:3000/q/abc.def');
    expect(qrLandingUrl('https://hop.tinhuy.vn/diemcau', 'x')).toBe('https://hop.tinhuy.vn/diemcau/q/x');
  });

  it('the PNG decodes back to the signed URL', async () => {
    const { token } = issueQrToken('unit-test-secret-unit-test-secret-0123456789', { kind: 'delegate', meetingId: 7, subjectId: 1234, ttlSeconds: 72 * 3600 });
    const url = qrLandingUrl('http://192.0.2.10:3000', token);
    const png = await qrPng(url, 400);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(decodeQrPng(png)).toBe(url);
  });

  it('renders an inline SVG for the print sheet', async () => {
    const svg = await qrSvg('http://localhost:3000/q/abc');
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
