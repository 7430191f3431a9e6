/**
 * A loop that never overlaps itself: each run is followed by a fresh setTimeout (no
 * setInterval), so a slow run delays the next instead of stacking. It can be paused,
 * resumed, kicked (run soon) and disposed; dispose waits for the run in progress.
 */
import type { Logger } from "../logger.js";

/** One named loop (the void and stop schedulers, the inbox): runs `run` every `intervalMs` once resumed, never twice at once. */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private paused = true;
  private disposed = false;
  private kicked = false;

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
      } catch (err) {
        this.log.error({ err, poller: this.name }, "poller run failed");
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
