/**
 * A loop that never overlaps itself: each run is followed by a fresh setTimeout (no
 * setInterval), so a slow run delays the next instead of stacking. It can be paused,
 * resumed, kicked (run soon) and disposed; dispose waits for the run in progress.
 */
import type { Logger } from "../logger.js";

/**
 * A run that fails as the one before it did (an unreachable store fails every tick) is logged
 * once in this long, with the count of failures not logged.
 */
const REPEATED_FAILURE_LOG_MS = 60_000;

/** One named loop (the void and stop schedulers, the inbox): runs `run` every `intervalMs` once resumed, never twice at once. */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private paused = true;
  private disposed = false;
  private kicked = false;
  /** The failure last logged, while runs keep failing. */
  private failing?: { message: string; loggedAt: number; unlogged: number; runs: number };

  constructor(
    readonly name: string,
    private readonly run: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.resume();
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    if (this.disposed || !this.paused) return;
    this.paused = false;
    this.arm(0);
  }

  /** Runs as soon as the current run (if any) ends. */
  kick(): void {
    if (this.paused || this.disposed) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.arm(0);
  }

  /** Stops the loop and waits for the run in progress. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.pause();
    await this.running;
  }

  /** Logs a failed run, unless it repeats the failure logged less than REPEATED_FAILURE_LOG_MS ago. */
  private failed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const now = Date.now();
    const f = this.failing;
    if (f && f.message === message && now - f.loggedAt < REPEATED_FAILURE_LOG_MS) {
      f.unlogged += 1;
      f.runs += 1;
      return;
    }
    this.log.error({ err, poller: this.name, failuresNotLogged: f?.unlogged ?? 0 }, "poller run failed");
    this.failing = { message, loggedAt: now, unlogged: 0, runs: (f?.runs ?? 0) + 1 };
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.paused || this.disposed || this.running) return;
    this.running = (async () => {
      try {
        await this.run();
        if (this.failing) this.log.info({ poller: this.name, failedRuns: this.failing.runs }, "poller runs succeed again");
        this.failing = undefined;
      } catch (err) {
        this.failed(err);
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.paused || this.disposed) return;
    const again = this.kicked;
    this.kicked = false;
    this.arm(again ? 0 : this.intervalMs);
  }
}
