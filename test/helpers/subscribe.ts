/**
 * Collects a subscription's results, with deferred waits instead of sleeps, from any client
 * with graphql-ws's `subscribe(payload, sink)` shape: graphql-ws, graphql-sse, or Apollo Client
 * through `apolloSubscriber` (./clients.ts).
 */

/** A result as every client hands it over. */
interface SinkResult {
  data?: unknown;
  errors?: ReadonlyArray<unknown>;
}

/** What `collect` needs of a client: graphql-ws's and graphql-sse's `subscribe`. */
export interface Subscriber {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(r: SinkResult): void; error(e: unknown): void; complete(): void },
  ): () => void;
}

export interface Collected<T> {
  items: T[];
  errors: unknown[];
  /** Resolves when at least `n` items arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when an item matching `pred` arrived. */
  waitUntil(pred: (t: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): void;
}

export function collect<T>(
  client: Subscriber,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => T,
): Collected<T> {
  const items: T[] = [];
  const errors: unknown[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const stop = client.subscribe(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) errors.push(...r.errors);
        if (r.data) items.push(pick(r.data as Record<string, unknown>));
        notify();
      },
      error: (e) => {
        errors.push(e);
        notify();
      },
      complete: () => notify(),
    },
  );
  const waitUntilCond = (cond: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(items)} errors ${JSON.stringify(errors)}`)),
        timeoutMs,
      );
      const check = () => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    items,
    errors,
    async waitFor(n, timeoutMs = 15_000) {
      await waitUntilCond(() => items.length >= n, `${n} items`, timeoutMs);
      return items;
    },
    async waitUntil(pred, timeoutMs = 15_000) {
      await waitUntilCond(() => items.some(pred), "a matching item", timeoutMs);
      return items.find(pred) as T;
    },
    stop,
  };
}
