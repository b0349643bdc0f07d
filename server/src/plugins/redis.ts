/**
 * The Redis the nodes of a cluster share (REDIS_URL), and the rate limiters built on it.
 * Without REDIS_URL `app.redis` is null and every limiter lives in this process, so the
 * one-node quick start needs no Redis at all.
 */
import fp from 'fastify-plugin';
import { createClient } from 'redis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type RedisClient = ReturnType<typeof createClient>;

export interface LimiterOptions {
  /** Names the budget; nodes that use the same prefix share it. */
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared Redis client, or null on a single node. */
    redis: RedisClient | null;
    /** A limiter whose budget every node shares when Redis is configured, this process's own otherwise. */
    rateLimiter(opts: LimiterOptions): RateLimiterAbstract;
  }
}

export default fp<{ url: string | null }>(
  async (app, { url }) => {
    let client: RedisClient | null = null;
    if (url) {
      client = createClient({ url });
      // Without a listener node-redis's 'error' event would crash the process; it reconnects by itself.
      client.on('error', (err: unknown) => app.log.warn({ err }, 'redis connection error'));
      await client.connect();
    }
    app.decorate('redis', client);
    app.decorate('rateLimiter', (opts: LimiterOptions): RateLimiterAbstract => {
      if (!client) return new RateLimiterMemory(opts);
      return new RateLimiterRedis({
        ...opts,
        storeClient: client,
        useRedisPackage: true,
        // While Redis is unreachable, count in this process rather than let everything through or refuse
        // everyone: the budget is then per node for that while, which is what a single node had anyway.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(opts),
      });
    });
    app.addHook('onClose', async () => {
      // onClose hooks run last-registered first, so the realtime adapter is closed before its client goes.
      if (client?.isOpen) await client.close();
    });
  },
  { name: 'redis' },
);
