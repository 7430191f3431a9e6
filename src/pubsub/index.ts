/** Picks the pub/sub: in-process by default, Redis when REDIS_URL is set (ioredis is loaded only then; issue 22). */
import { MemoryPubSub } from "./memory.js";
import type { PubSub } from "./types.js";
import type { ConnectionNews } from "./redis.js";

export type { PubSub } from "./types.js";
export async function createPubSub(
  redisUrl: string | undefined,
  prefix?: string,
  /** Told of a SUBSCRIBE Redis refused (Redis away, or an ACL without the channel). */
  onSubscribeError?: (channel: string, err: unknown) => void,
  /** Told when Redis cannot be reached (at most once a minute while it cannot) and when it can again. */
  onConnection?: (news: ConnectionNews) => void,
): Promise<PubSub> {
  return redisUrl ? new (await import("./redis.js")).RedisPubSub(redisUrl, prefix, onSubscribeError, onConnection) : new MemoryPubSub();
}
