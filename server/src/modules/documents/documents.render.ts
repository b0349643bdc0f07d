/**
 * Confidential viewer rendering: each page is served as a PNG with the
 * viewer's name, unit and time burnt into the pixels.
 *
 * Two stages, so that only poppler ever parses an uploaded (untrusted,
 * possibly encrypted or odd) PDF:
 *  1. `pdftoppm` (Debian poppler-utils) rasterises the clean page to JPEG.
 *     Cached in memory per version/page/width; never leaves the server.
 *  2. Per view, @cantoo/pdf-lib builds a one-page PDF of that image with the
 *     watermark drawn over it (DejaVu Sans, which has every Vietnamese
 *     glyph), and `pdftoppm` flattens it to the PNG that is sent.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PDFDocument, PDFFont, PDFImage } from '@cantoo/pdf-lib';
import { AppError } from '../../lib/app-error.ts';

/** Who is looking, burnt into every page they see. */
export interface Viewer {
  userId: number;
  name: string;
  unit: string;
  at: Date;
}

/** A stored document version the viewer may render. */
export interface RenderSource {
  path: string;
  mime: string;
  /** Content hash: the cache key of clean rasters. */
  sha256: string;
  pages: number;
}

export interface RendererOptions {
  pdftoppm?: string;
  fontFile?: string;
  /** Simultaneous pdftoppm processes (the machine has few cores). */
  concurrency?: number;
  /** Memory budget of the clean-raster cache. */
  cacheBytes?: number;
  timeoutMs?: number;
}

/** Formats the same way at every bridge point: Vietnam has one time zone. */
const timeFmt = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  hour: '2-digit',
  minute: '2-digit',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** The watermark line for a viewer. */
export function watermarkText(v: Viewer): string {
  return `${v.name} · ${v.unit} · ${timeFmt.format(v.at)} · #${v.userId}`.normalize('NFC');
}

export const MIN_WIDTH = 480;
export const MAX_WIDTH = 2000;
export const DEFAULT_WIDTH = 1240;
/** A Unicode TTF with every Vietnamese glyph; also used by the report PDF. */
export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const MAX_OUTPUT = 40 * 1024 * 1024;

/** Runs a command with stdin bytes, returning stdout; bounded in time and size. */
function run(cmd: string, args: string[], input: Uint8Array | null, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_OUTPUT) child.kill('SIGKILL');
      else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} failed (${signal ?? code}): ${stderr.trim()}`));
    });
    // A renderer that dies early closes stdin; the close handler reports it.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? undefined);
  });
}

/** Counting semaphore: at most `n` tasks at once, the rest queue in order. */
class Limiter {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.n) await new Promise<void>((r) => this.#queue.push(r));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}

/** Draws the tiled diagonal watermark and a header line over a page. */
export function drawWatermark(
  page: ReturnType<PDFDocument['addPage']>,
  font: PDFFont,
  text: string,
  header: string,
  { rgb, degrees }: Pick<typeof import('@cantoo/pdf-lib'), 'rgb' | 'degrees'>,
): void {
  const { width: W, height: H } = page.getSize();
  const size = Math.max(10, W / 48);
  const tw = font.widthOfTextAtSize(text, size);
  const angle = 35;
  const a = (angle * Math.PI) / 180;
  const [dx, dy, nx, ny] = [Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a)];
  const step = tw + size * 4;
  const rowGap = size * 5;
  const reach = Math.hypot(W, H);
  const rows = Math.ceil(reach / rowGap);
  const cols = Math.ceil(reach / step) + 1;
  for (let r = -rows; r <= rows; r++) {
    for (let k = -cols; k <= cols; k++) {
      const shift = (r % 2) * step * 0.5;
      const x = W / 2 + nx * r * rowGap + dx * (k * step + shift) - (dx * tw) / 2;
      const y = H / 2 + ny * r * rowGap + dy * (k * step + shift) - (dy * tw) / 2;
      const [ex, ey] = [x + dx * tw, y + dy * tw];
      if (Math.max(x, ex) < -size || Math.min(x, ex) > W + size || Math.max(y, ey) < -size || Math.min(y, ey) > H + size) continue;
      page.drawText(text, { x, y, size, font, color: rgb(0.6, 0, 0), opacity: 0.18, rotate: degrees(angle) });
    }
  }
  const hs = Math.max(9, W / 70);
  page.drawRectangle({ x: 0, y: H - hs * 2, width: W, height: hs * 2, color: rgb(1, 1, 1), opacity: 0.75 });
  page.drawText(header, { x: hs, y: H - hs * 1.45, size: hs, font, color: rgb(0.55, 0, 0) });
}

/** Renders watermarked page images of confidential documents. */
export class PageRenderer {
  readonly #bin: string;
  readonly #fontFile: string;
  readonly #timeoutMs: number;
  readonly #limiter: Limiter;
  readonly #cacheBytes: number;
  readonly #cache = new Map<string, Buffer>();
  #cached = 0;
  #font: Promise<Buffer> | null = null;

  private constructor(o: Required<RendererOptions>) {
    this.#bin = o.pdftoppm;
    this.#fontFile = o.fontFile;
    this.#timeoutMs = o.timeoutMs;
    this.#limiter = new Limiter(o.concurrency);
    this.#cacheBytes = o.cacheBytes;
  }

  static create(o: RendererOptions = {}): PageRenderer {
    return new PageRenderer({
      pdftoppm: o.pdftoppm ?? 'pdftoppm',
      fontFile: o.fontFile ?? DEFAULT_FONT,
      concurrency: o.concurrency ?? 2,
      cacheBytes: o.cacheBytes ?? 64 * 1024 * 1024,
      timeoutMs: o.timeoutMs ?? 30_000,
    });
  }

  /** Types the viewer can render: poppler reads PDFs, pdf-lib embeds PNG/JPEG. */
  static canRender(mime: string): boolean {
    return mime === 'application/pdf' || mime === 'image/png' || mime === 'image/jpeg';
  }

  /** The watermarked PNG of page `page` (1-based) at `width` pixels. */
  async render(src: RenderSource, page: number, viewer: Viewer, width = DEFAULT_WIDTH): Promise<Buffer> {
    if (!PageRenderer.canRender(src.mime)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'This format cannot be shown in the viewer');
    if (!Number.isInteger(page) || page < 1 || page > src.pages) throw new AppError('NOT_FOUND', 404, 'Page not found');
    const w = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(width)));
    try {
      const base = await this.#clean(src, page, w);
      const pdf = await this.stamp(base, src.mime === 'image/png' ? 'png' : 'jpg', w, viewer, `${page}/${src.pages}`);
      return await this.rasterize(pdf);
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new AppError('INTERNAL', 500, code === 'ENOENT' ? 'pdftoppm (poppler-utils) is not installed' : `Render failed: ${(err as Error).message}`);
    }
  }

  /** Builds the one-page PDF: the clean image scaled to `width` points, watermark on top. */
  async stamp(image: Uint8Array, kind: 'png' | 'jpg', width: number, viewer: Viewer, pageLabel: string): Promise<Uint8Array> {
    // Loaded on first view, not at server start: together they cost ~0.5 s of startup and ~20 MB.
    const [lib, { default: fontkit }] = await Promise.all([import('@cantoo/pdf-lib'), import('@cantoo/fontkit')]);
    const doc = await lib.PDFDocument.create();
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(await this.#fontBytes(), { subset: true });
    const img: PDFImage = kind === 'png' ? await doc.embedPng(image) : await doc.embedJpg(image);
    const height = Math.round((img.height * width) / img.width);
    const page = doc.addPage([width, height]);
    page.drawImage(img, { x: 0, y: 0, width, height });
    const text = watermarkText(viewer);
    drawWatermark(page, font, text, `MẬT – chỉ xem, không sao chép · ${text} · trang ${pageLabel}`, lib);
    return doc.save();
  }

  /** Flattens a one-page PDF to PNG at 72 dpi, so 1 point = 1 pixel. */
  rasterize(pdf: Uint8Array): Promise<Buffer> {
    return this.#limiter.run(() => run(this.#bin, ['-png', '-r', '72', '-singlefile', '-'], pdf, this.#timeoutMs));
  }

  async #clean(src: RenderSource, page: number, width: number): Promise<Buffer> {
    if (src.mime !== 'application/pdf') return readFile(src.path);
    const key = `${src.sha256}:${page}:${width}`;
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const p = String(page);
    const args = ['-jpeg', '-jpegopt', 'quality=90', '-f', p, '-l', p, '-singlefile', '-scale-to-x', String(width), '-scale-to-y', '-1', src.path];
    const jpg = await this.#limiter.run(() => run(this.#bin, args, null, this.#timeoutMs));
    this.#cache.set(key, jpg);
    this.#cached += jpg.length;
    for (const [k, v] of this.#cache) {
      if (this.#cached <= this.#cacheBytes) break;
      this.#cache.delete(k);
      this.#cached -= v.length;
    }
    return jpg;
  }

  #fontBytes(): Promise<Buffer> {
    this.#font ??= readFile(this.#fontFile).catch((err) => {
      this.#font = null;
      throw err;
    });
    return this.#font;
  }
}
