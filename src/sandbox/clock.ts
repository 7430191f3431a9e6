/**
 * The simulators' clock. Simulated time runs `scale` times faster than real time from the
 * moment the clock is made, so an 8-minute stop-issuance check takes 48 s at scale 10 and
 * under a second at scale 1000 (SANDBOX_TIME_SCALE).
 */
export class SimClock {
  private readonly realStart = Date.now();
  private offset = 0;

  constructor(readonly scale: number = 1) {
    if (!(scale > 0)) throw new Error("SANDBOX_TIME_SCALE must be a positive number");
  }

  /** Simulated now, in epoch ms. */
  now(): number {
    return this.realStart + (Date.now() - this.realStart) * this.scale + this.offset;
  }

  /** Jumps simulated time forward (tests). Timers already set still fire on their real schedule. */
  advance(simMs: number): void {
    this.offset += simMs;
  }

  /** Real milliseconds that `simMs` simulated milliseconds take. */
  real(simMs: number): number {
    return simMs / this.scale;
  }
}
