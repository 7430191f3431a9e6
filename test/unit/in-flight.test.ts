import { describe, expect, it } from "vitest";
import { InFlight } from "../../src/reliability/in-flight.js";

describe("operations in flight (a shutdown waits for them)", () => {
  it("settles once every tracked operation has, those started meanwhile included, and gives back their results and errors", async () => {
    const inFlight = new InFlight();
    let later: Promise<string> | undefined;
    const first = inFlight.track(
      new Promise<string>((resolve) =>
        setTimeout(() => {
          later = inFlight.track(new Promise((r) => setTimeout(() => r("second"), 30)));
          resolve("first");
        }, 20),
      ),
    );
    const failing = inFlight.track(Promise.reject(new Error("refused")));
    await expect(failing).rejects.toThrow("refused");
    expect(inFlight.size).toBe(1);
    expect(await inFlight.settled(5_000)).toBe(0);
    expect(await first).toBe("first");
    expect(await later).toBe("second");
  });

  it("gives up after its time, with the number still running", async () => {
    const inFlight = new InFlight();
    inFlight.track(new Promise(() => undefined));
    const started = Date.now();
    expect(await inFlight.settled(50)).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
