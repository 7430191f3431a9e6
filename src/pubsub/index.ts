/** Picks the pub/sub: in-process by default, Redis when REDIS_URL is set. */
import { MemoryPubSub } from "./memory.js";
import { RedisPubSub } from "./redis.js";
import type { PubSub } from "./types.js";

export type { PubSub } from "./types.js";
export function createPubSub(redisUrl: string | undefined, prefix?: string): PubSub {
  return redisUrl ? new RedisPubSub(redisUrl, prefix) : new MemoryPubSub();
}
