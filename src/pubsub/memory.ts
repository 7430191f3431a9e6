/** In-process pub/sub, the embedded default: one instance, no network. */
import type { Listener, PubSub } from "./types.js";

export class MemoryPubSub implements PubSub {
  private readonly topics = new Map<string, Set<Listener>>();

  async publish(topic: string, payload: unknown): Promise<void> {
    const listeners = this.topics.get(topic);
    if (!listeners) return;
    // Payloads are shared between subscribers; they must treat them as read-only.
    for (const l of [...listeners]) l(payload);
  }

  async subscribe(topic: string, listener: Listener): Promise<() => void> {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.topics.clear();
  }
}
