import { describe, expect, it } from 'vitest';
import { ConfigError, defaultWorkerBin, loadConfig } from '../../../server/src/config.ts';

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.tls).toBeNull();
    expect(c.mediasoup.consumerBudgetPerRouter).toBe(2000);
    expect(c.mediasoup.workerBin).toBe(defaultWorkerBin({}));
    expect(c.dataDir).toMatch(/data$/);
  });

  it('reads every documented key', () => {
    const c = loadConfig({
      PORT: '8443', PUBLIC_BASE_URL: 'https://10.1.2.3:8443/', APP_SECRET: 'x'.repeat(40), TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem',
      RTC_MIN_PORT: '41000', RTC_MAX_PORT: '41999', RTC_ANNOUNCED_IP: '10.1.2.3', MEDIASOUP_NUM_WORKERS: '4', QR_GRACE_HOURS: '6',
    });
    expect(c.port).toBe(8443);
    expect(c.publicBaseUrl).toBe('https://10.1.2.3:8443');
    expect(c.tls).toEqual({ certFile: '/c.pem', keyFile: '/k.pem' });
    expect(c.cookieSecure).toBe(true);
    expect(c.mediasoup).toMatchObject({ rtcMinPort: 41000, rtcMaxPort: 41999, announcedIp: '10.1.2.3', numWorkers: 4 });
    expect(c.qrGraceHours).toBe(6);
  });

  it('reads the security keys: allowed origins, login per IP, per-user socket limits', () => {
    const c = loadConfig({ ALLOWED_ORIGINS: ' https://hoinghi.tinhuy.local/ , http://10.20.0.5:3000', LOGIN_IP_RATE_MAX: '30', MAX_SOCKETS_PER_USER: '3', USER_COMMANDS_PER_SECOND: '15' });
    expect(c.allowedOrigins).toEqual(['https://hoinghi.tinhuy.local', 'http://10.20.0.5:3000']);
    expect(c).toMatchObject({ loginIpRateMax: 30, maxSocketsPerUser: 3, userCommandsPerSecond: 15 });
    expect(loadConfig({}).allowedOrigins).toEqual([]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://x.example/path' })).toThrow(ConfigError);
  });

  it('lists every problem at once', () => {
    expect(() => loadConfig({ PORT: 'abc', APP_SECRET: 'short', RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', APP_SECRET: 'short', RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/port/);
      expect(msg).toMatch(/secret/);
      expect(msg).toMatch(/RTC_MIN_PORT/);
    }
  });

  it('reads the cluster keys: none by default (a single node); a wildcard pipe address needs NODE_URL and PIPE_ANNOUNCED_IP', () => {
    const d = loadConfig({});
    expect(d.cluster).toMatchObject({ secret: null, nodeUrl: null, pipeListenIp: '127.0.0.1', pipeAnnouncedIp: null, requestTimeoutMs: 5000, heartbeatMs: 2000 });
    expect(d.cluster.nodeId).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    const secret = 'c'.repeat(40);
    const c = loadConfig({
      CLUSTER_SECRET: secret, NODE_ID: 'media-2', NODE_URL: 'http://10.20.0.6:3000/', PIPE_LISTEN_IP: '0.0.0.0', PIPE_ANNOUNCED_IP: '10.20.0.6',
      CLUSTER_REQUEST_TIMEOUT_MS: '3000', CLUSTER_HEARTBEAT_MS: '1000',
    });
    expect(c.cluster).toEqual({ secret, nodeId: 'media-2', nodeUrl: 'http://10.20.0.6:3000', pipeListenIp: '0.0.0.0', pipeAnnouncedIp: '10.20.0.6', requestTimeoutMs: 3000, heartbeatMs: 1000 });
    expect(() => loadConfig({ CLUSTER_SECRET: 'short' })).toThrow(/secret/);
    expect(() => loadConfig({ CLUSTER_SECRET: secret, PIPE_LISTEN_IP: '0.0.0.0' })).toThrow(/PIPE_ANNOUNCED_IP[\s\S]*NODE_URL/);
    // Without a secret the wildcard is harmless: nothing is piped.
    expect(loadConfig({ PIPE_LISTEN_IP: '0.0.0.0' }).cluster.secret).toBeNull();
  });

  it('refuses the development secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/APP_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', APP_SECRET: 'y'.repeat(32) }).secret).toBe('y'.repeat(32));
  });

  it('reads the reminder and mail keys: offsets in m/h/d, largest first; empty turns reminders off; bad entries refused', () => {
    const d = loadConfig({});
    expect(d.reminderOffsetsMinutes).toEqual([1440, 60]);
    expect(d.smtpUrl).toBeNull();
    const c = loadConfig({ REMINDER_OFFSETS: '1h, 2d,30m,24h', REMINDER_CHECK_SECONDS: '15', SMTP_URL: 'smtp://mail.tinhuy.local:25', MAIL_FROM: 'Văn phòng <vp@tinhuy.local>' });
    expect(c.reminderOffsetsMinutes).toEqual([2880, 1440, 60, 30]);
    expect(c).toMatchObject({ reminderCheckSeconds: 15, smtpUrl: 'smtp://mail.tinhuy.local:25', mailFrom: 'Văn phòng <vp@tinhuy.local>' });
    expect(loadConfig({ REMINDER_OFFSETS: '' }).reminderOffsetsMinutes).toEqual([]);
    expect(() => loadConfig({ REMINDER_OFFSETS: '24 hours' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: 'mail.tinhuy.local' })).toThrow(/smtpUrl/);
  });

  it('reads REDIS_URL: unset or empty keeps one node in memory; not a redis URL is refused', () => {
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6379' }).redisUrl).toBe('redis://10.0.0.5:6379');
    expect(() => loadConfig({ REDIS_URL: '10.0.0.5:6379' })).toThrow(/redisUrl/);
  });
});
