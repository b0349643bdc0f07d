/**
 * QR code rendering with the `qrcode` package. The code carries the signed
 * landing-page URL built on config.publicBaseUrl (what a phone on the LAN can
 * reach), never a bare token.
 */

// Loaded on the first QR image rather than at server start (~60 modules with pngjs).
const qrcode = () => import('qrcode').then((m) => m.default);

/** The landing-page URL for a token: `<publicBaseUrl>/q/<token>`. */
export function qrLandingUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/q/${encodeURIComponent(token)}`;
}

// M recovers ~15% damage (folded, smudged paper) while keeping the symbol small
// enough for older phone cameras at arm's length.
const LEVEL = 'M' as const;

/** PNG bytes of a QR code for `text`. `width` is the image side in pixels. */
export async function qrPng(text: string, width = 480): Promise<Buffer> {
  return (await qrcode()).toBuffer(text, { type: 'png', errorCorrectionLevel: LEVEL, margin: 4, width });
}

/** Self-contained SVG markup of a QR code, for the HTML print sheet (prints sharp at any size). */
export async function qrSvg(text: string): Promise<string> {
  return (await qrcode()).toString(text, { type: 'svg', errorCorrectionLevel: LEVEL, margin: 4 });
}
