/**
 * Topic-based publish/subscribe between gateway instances. An event costs work only for the
 * topics someone subscribed to: per tenant, per tenant+void, per tenant+order.
 */
export type Listener = (payload: unknown) => void;

export interface PubSub {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Resolves once the subscription is live (for Redis: SUBSCRIBE acknowledged), with its undo. */
  subscribe(topic: string, listener: Listener): Promise<() => void>;
  /** Throws when the transport is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
