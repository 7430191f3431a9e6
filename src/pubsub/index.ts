/** Picks the pub/sub: in-process by default, Redis when REDIS_URL is set (ioredis is loaded only then; issue 22). */
import { MemoryPubSub } from "./memory.js";
import type { PubSub } from "./types.js";

export type { PubSub } from "./types.js";
export async function createPubSub(
  redisUrl: string | undefined,
  prefix?: string,
  /** Told of a SUBSCRIBE Redis refused (Redis away, or an ACL without the channel). */
  onSubscribeError?: (channel: string, err: unknown) => void,
): Promise<PubSub> {
  return redisUrl ? new (await import("./redis.js")).RedisPubSub(redisUrl, prefix, onSubscribeError) : new MemoryPubSub();
}
