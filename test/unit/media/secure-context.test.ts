import { describe, expect, it } from 'vitest';
import { cameraBlock, cameraBlockMessage, isLoopbackHost } from '../../../web/src/media/secure-context.ts';

const at = (url: string) => {
  const u = new URL(url);
  return { protocol: u.protocol, hostname: u.hostname, port: u.port };
};

describe('camera secure-context check', () => {
  it('allows https and localhost', () => {
    expect(cameraBlock(at('https://10.20.0.5:3000/'), true, true)).toBeNull();
    expect(cameraBlock(at('http://localhost:3000/'), true, true)).toBeNull();
    expect(cameraBlock(at('http://127.0.0.1:3000/'), true, true)).toBeNull();
    expect(cameraBlock(at('http://[::1]:3000/'), true, true)).toBeNull();
  });

  it('explains plain http at a LAN address in Vietnamese, with the https address to use', () => {
    const block = cameraBlock(at('http://10.20.0.5:3000/hop/7'), false, false);
    expect(block).toEqual({ reason: 'insecure-origin', httpsUrl: 'https://10.20.0.5:3000' });
    const msg = cameraBlockMessage(block!);
    expect(msg).toContain('camera và micrô');
    expect(msg).toContain('không bảo mật');
    expect(msg).toContain('https://10.20.0.5:3000');
    expect(cameraBlockMessage(block!, 'en')).toContain('plain http');
  });

  it('treats a host name over http the same way, even if the browser claims a secure context', () => {
    expect(cameraBlock(at('http://hoinghi.tinhuy.local/'), true, true)).toEqual({ reason: 'insecure-origin', httpsUrl: 'https://hoinghi.tinhuy.local' });
  });

  it('reports a browser without mediaDevices separately', () => {
    const block = cameraBlock(at('https://10.20.0.5/'), true, false);
    expect(block).toEqual({ reason: 'no-media-devices' });
    expect(cameraBlockMessage(block!)).toContain('không hỗ trợ');
  });

  it('knows loopback names', () => {
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('app.localhost')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.evil.vn')).toBe(false);
  });
});
