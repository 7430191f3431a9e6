/**
 * The state-changing operations running right now, so that a shutdown can let them finish
 * (src/gateway.ts, src/server/app.ts). A supplier call already sent must not be cut off by a
 * SIGTERM: its answer would be lost, the order left marked as an unknown outcome, and a cancel's
 * result lost for good. The HTTP server's drain waits only for requests whose client is still
 * connected, and a websocket is closed without waiting for its operations; this waits for the
 * operations themselves, whoever asked for them and however.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  /** Operations running now. */
  get size(): number {
    return this.running.size;
  }

  /** Whether a shutdown has begun: no new state-changing operation should start (./idempotency.ts refuses them). */
  get closed(): boolean {
    return this.closing;
  }

  /** A shutdown begins: what runs now may finish (`settled`), nothing new is started. */
  close(): void {
    this.closing = true;
  }

  /** Runs `work`, counted as in flight until it settles; its result and error are the caller's. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => void this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Resolves once nothing is in flight (operations started meanwhile included), or after
   * `withinMs` at the latest, with the number still running then. What follows a settled
   * operation in the same turn (its answer formatted and written) has run by then.
   */
  async settled(withinMs: number): Promise<number> {
    const until = Date.now() + withinMs;
    while (this.running.size) {
      const left = until - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.running.size;
  }
}
