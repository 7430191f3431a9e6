/**
 * The open subscription streams over HTTP (multipart and SSE; issue 23), whatever their
 * transport: what the websocket server does for sockets, done here for responses.
 *
 * - **Released at once** when the client goes away: the response's `close` runs the stream's
 *   `release` (its iterator's `return()`), which frees the feed registration, the watch mark and
 *   the tenant's count (src/tracking/subscriptions.ts), as a websocket `complete` does.
 * - **At the client's pace:** a transport reads its next event only once the response has
 *   handed what was written to the kernel (`drained`), so a replay of thousands of events goes
 *   as fast as the client reads, however slowly, and is never cut for being slow.
 * - **A client that stops reading is cut**, not buffered without limit: once more than
 *   HTTP_SUBSCRIPTION_MAX_BUFFERED_BYTES wait unsent in the response, or when it takes nothing
 *   of what waits for `maxStallMs` (60 s), the connection is destroyed (reason `slow_reader`).
 * - **Heartbeats** for the transports that want them from here (multipart: an empty part every
 *   HTTP_SUBSCRIPTION_HEARTBEAT_MS), from one timer for all streams, not one per stream, each
 *   tick writing to a slice of them (../staggered.ts) rather than to all at once.
 * - **No longer than its credential:** a stream opened with a JWT ends at the token's expiry with
 *   UNAUTHENTICATED, as the websocket closes with 4403.
 * - **Shutdown** ends every stream with a retryable SERVICE_UNAVAILABLE, so clients resubscribe
 *   (with `afterEventId`) elsewhere instead of waiting on a drained server.
 *
 * Each end is counted by reason and logged with the transport named.
 */
import type { ServerResponse } from "node:http";
import type { GraphQLFormattedError } from "graphql";
import type { Principal } from "../../auth/index.js";
import type { Logger } from "../../logger.js";
import type { HttpStreamEnd, HttpStreamTransport, Metrics } from "../../metrics.js";
import { runAt, type Scheduled } from "../expiry.js";
import { Staggered } from "../staggered.js";

/** What one transport supplies for a stream: how to say its last words, and how to let go of its source. */
export interface StreamParts {
  transport: HttpStreamTransport;
  res: ServerResponse;
  principal: Principal | null;
  /** The operation's metrics label. */
  label: string;
  /** The bytes that end the stream, with `errors` first when there are any (a fatal error). */
  lastWords(errors?: readonly GraphQLFormattedError[]): string;
  /** Ends the source of events (the subscription iterator's `return()`). Called once. */
  release(): void;
}

/** One open stream: write to it, end it. */
export interface OpenStream {
  /** Writes `chunk`; false when the stream is over (then stop writing). Cuts a client that stopped reading. */
  write(chunk: string): boolean;
  /**
   * Resolves true once what was written has gone to the client (at once when little waits):
   * read the next event only then. False when the stream is over, or has just been cut because
   * the client took nothing for `maxStallMs`.
   */
  drained(): Promise<boolean>;
  /** Ends the stream for `reason` (with `errors` as a last, fatal message when given). Idempotent. */
  end(reason: HttpStreamEnd, errors?: readonly GraphQLFormattedError[]): void;
}

/** The registry's settings (docs/configuration.md) and where it reports. */
export interface HttpStreamsOptions {
  log: Logger;
  metrics: Pick<Metrics, "httpStreamOpened" | "httpStreamEnded">;
  /** HTTP_SUBSCRIPTION_HEARTBEAT_MS. */
  heartbeatMs: number;
  /** HTTP_SUBSCRIPTION_MAX_BUFFERED_BYTES. */
  maxBufferedBytes: number;
  /** How long a stream waits for its client to take what was written before it is cut. @default 60_000 */
  maxStallMs?: number;
}

const MAX_STALL_MS = 60_000;

const gone = (res: ServerResponse) => res.destroyed || res.writableEnded;

/** The open HTTP streams of this instance. */
export class HttpStreams {
  private readonly open = new Set<Stream>();
  /** The streams that have a heartbeat. */
  private readonly beats: Staggered<Stream>;

  constructor(private readonly o: HttpStreamsOptions) {
    this.beats = new Staggered(o.heartbeatMs, (stream) => stream.beat());
  }

  /** Streams open now (tests, metrics). */
  get size(): number {
    return this.open.size;
  }

  /** Registers a stream whose headers are sent; `heartbeat`, when given, is written every HTTP_SUBSCRIPTION_HEARTBEAT_MS. */
  add(parts: StreamParts, heartbeat?: string): OpenStream {
    const stream = new Stream(parts, this.o, heartbeat, () => this.remove(stream));
    this.open.add(stream);
    this.o.metrics.httpStreamOpened(parts.transport);
    this.o.log.debug({ transport: parts.transport, operation: parts.label, tenant: parts.principal?.tenant }, "subscription stream opened");
    if (heartbeat !== undefined) this.beats.add(stream);
    return stream;
  }

  /** Ends every stream with a retryable error (shutdown); their last bytes are written when it returns. */
  async dispose(): Promise<void> {
    const error: GraphQLFormattedError = {
      message: "The gateway is shutting down; subscribe again (with afterEventId to resume where you were)",
      extensions: { code: "SERVICE_UNAVAILABLE", retryable: true },
    };
    for (const s of [...this.open]) s.end("shutdown", [error]);
    this.beats.stop();
  }

  private remove(stream: Stream): void {
    this.open.delete(stream);
    this.beats.delete(stream);
  }
}

class Stream implements OpenStream {
  private ended = false;
  private readonly expiry: Scheduled | undefined;
  private readonly opened = performance.now();

  constructor(
    private readonly p: StreamParts,
    private readonly o: HttpStreamsOptions,
    /** Written every HTTP_SUBSCRIPTION_HEARTBEAT_MS when given. */
    private readonly heartbeat: string | undefined,
    private readonly removed: () => void,
  ) {
    p.res.once("close", () => this.end("client_gone"));
    // A client that left while the subscription was being set up has closed already: its
    // "close" will not come again. Ended once the registry has finished adding the stream.
    if (p.res.destroyed || p.res.socket?.destroyed) queueMicrotask(() => this.end("client_gone"));
    const at = p.principal?.expiresAt;
    if (at) {
      this.expiry = runAt(at, () =>
        this.end("token_expired", [
          { message: "The token has expired; subscribe again with a new one", extensions: { code: "UNAUTHENTICATED" } },
        ]),
      );
    }
  }

  /** Writes the heartbeat, if this stream has one. */
  beat(): void {
    if (this.heartbeat !== undefined) this.write(this.heartbeat);
  }

  write(chunk: string): boolean {
    const { res } = this.p;
    if (this.ended || gone(res)) return false;
    if (res.writableLength > this.o.maxBufferedBytes) {
      this.end("slow_reader");
      return false;
    }
    res.write(chunk);
    return true;
  }

  drained(): Promise<boolean> {
    const { res } = this.p;
    if (this.ended || gone(res)) return Promise.resolve(false);
    if (!res.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(stalled);
        res.off("drain", done);
        res.off("close", done);
        resolve(!this.ended && !gone(res));
      };
      const stalled = setTimeout(() => {
        this.end("slow_reader");
        done();
      }, this.o.maxStallMs ?? MAX_STALL_MS);
      res.once("drain", done);
      res.once("close", done);
    });
  }

  end(reason: HttpStreamEnd, errors?: readonly GraphQLFormattedError[]): void {
    if (this.ended) return;
    this.ended = true;
    this.expiry?.cancel();
    this.removed();
    const { res } = this.p;
    if (reason === "slow_reader") res.destroy();
    else if (!gone(res)) res.end(this.p.lastWords(errors));
    this.p.release();
    this.o.metrics.httpStreamEnded(this.p.transport, reason);
    const fields = {
      transport: this.p.transport,
      operation: this.p.label,
      tenant: this.p.principal?.tenant,
      reason,
      seconds: Math.round(performance.now() - this.opened) / 1000,
    };
    if (reason === "slow_reader")
      this.o.log.warn({ ...fields, maxBufferedBytes: this.o.maxBufferedBytes }, "subscription stream cut: the client stopped reading");
    else this.o.log.debug(fields, "subscription stream ended");
  }
}
