/**
 * An async iterator fed by pushes: the bridge between pub/sub listeners and a GraphQL
 * subscription. A consumer that falls more than `limit` items behind is ended with an error
 * rather than let memory grow without bound (SERVICE_UNAVAILABLE, retryable, on every transport);
 * it can resume from the event log (afterEventId).
 */
import { GatewayError } from "../vocabulary/errors.js";

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  private finished = false;
  private failure: unknown;
  private readonly roomWaiters: Array<{ below: number; resolve: () => void }> = [];

  constructor(
    private readonly onClose: () => void = () => undefined,
    private readonly limit = 10_000,
  ) {}

  push(item: T): void {
    if (this.finished) return;
    const w = this.waiting.shift();
    if (w) return w.resolve({ value: item, done: false });
    if (this.items.length >= this.limit) {
      this.fail(
        new GatewayError("SERVICE_UNAVAILABLE", `The subscriber fell more than ${this.limit} events behind; the stream was ended`, {
          retryable: true,
          hint: "Subscribe again with afterEventId (the largest event id you handled): the events missed are replayed from the log.",
        }),
      );
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream with an error, after what was already queued. */
  fail(err: unknown): void {
    if (this.finished) return;
    this.failure = err;
    this.close();
  }

  /** Items queued and not yet taken. */
  get size(): number {
    return this.items.length;
  }

  /** True once the stream has ended (returned, failed or thrown). */
  get closed(): boolean {
    return this.finished;
  }

  /** Resolves when fewer than `n` items wait (or the stream has ended): lets a producer go at the consumer's pace. */
  whenBelow(n: number): Promise<void> {
    if (this.finished || this.items.length < n) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ below: n, resolve }));
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.makeRoom();
      return Promise.resolve({ value: item, done: false });
    }
    if (this.finished) {
      if (this.failure !== undefined) {
        const f = this.failure;
        this.failure = undefined;
        return Promise.reject(f);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    this.items.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private makeRoom(): void {
    for (let i = this.roomWaiters.length - 1; i >= 0; i--) {
      const w = this.roomWaiters[i];
      if (this.finished || this.items.length < w.below) {
        this.roomWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private close(): void {
    if (this.finished) return;
    this.finished = true;
    this.onClose();
    this.makeRoom();
    for (const w of this.waiting.splice(0)) {
      if (this.failure !== undefined) {
        w.reject(this.failure);
        this.failure = undefined;
      } else w.resolve({ value: undefined, done: true });
    }
  }
}
