/**
 * The tracking engine on a real store, when one supplier report in a batch holds what
 * the store refuses (U+0000), on either engine: the others are recorded, that one is left as it was with its check
 * failure shown, and it is asked again later (black-box probe, thirtieth session: one such report
 * froze every void polled with it, with nothing in their `tracking`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { Store } from "../../src/store/index.js";
import type { TrackedEvent } from "../../src/store/tracked-model.js";
import { Tracker } from "../../src/tracking/engine.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";
import { kindOf, Supplier, type R } from "../unit/fakes/test-kind.js";

const ENGINES: Array<[string, (() => Promise<Store>) | undefined]> = [
  ["PGlite", () => pgliteStore({ maintenance: false })],
  ["PostgreSQL", DATABASE_URL ? () => postgresStore() : undefined],
];
if (!DATABASE_URL) skipReason("A refused report on PostgreSQL", "TEST_DATABASE_URL");

describe.each(ENGINES)("a report the store refuses, among others, on %s", (_name, open) => {
  let store: Store;
  beforeAll(async () => {
    if (open) store = await open();
  });
  afterAll(async () => store?.close());

  /** An engine of the test kind over this store, its supplier stand-in, and the events it announces. */
  function engine() {
    const supplier = new Supplier();
    const events: TrackedEvent[] = [];
    const tracker = new Tracker<R>({
      kind: kindOf(supplier),
      records: store.tracked,
      log: createLogger("silent"),
      recorded: (e) => events.push(...e),
    });
    return { supplier, events, tracker };
  }

  it.skipIf(!open)("polled with two others: they move, it stays as it was with its failure shown, due again later", async () => {
    const { supplier, events, tracker } = engine();
    const refs = ["P1", "P2", "P3"];
    for (const ref of refs)
      await tracker.start("acme", "ATRIP", ref, `O-${ref}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true });
    supplier.state.set("P1", { status: "B", n: 1 });
    supplier.state.set("P2", { status: "B", n: 2, note: "WA\u0000NG" } as R);
    supplier.state.set("P3", { status: "A", n: 3, note: "li\u0000" } as R);
    await store.tracked.soon(refs.map((ref) => ({ kind: "void", tenant: "acme", supplier: "ATRIP", ref })));
    expect(await tracker.pollDue("me", 10, 30_000)).toBe(3);
    const [p1, p2, p3] = await Promise.all(refs.map((ref) => tracker.get("acme", "ATRIP", ref)));
    expect(p1).toMatchObject({ status: "B", checkFailure: null });
    for (const stuck of [p2, p3]) {
      expect(stuck).toMatchObject({ status: "A", data: { n: 0 }, checkAttempt: 1 });
      expect(stuck!.checkFailure).toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: expect.stringMatching(/could not be stored/) });
      expect(stuck!.nextCheckAt!.getTime()).toBeGreaterThan(Date.now());
    }
    expect(events.filter((e) => e.source === "POLL").map((e) => e.ref)).toEqual(["P1"]);
  });

  it.skipIf(!open)(
    "refused in a later chunk of changes, after the first chunk committed: every change is recorded and announced once",
    async () => {
      const { supplier, events, tracker } = engine();
      // 40 changes: one statement writes 32; the refused one is in the second.
      const refs = Array.from({ length: 40 }, (_, i) => `Q${String(i).padStart(2, "0")}`);
      for (const ref of refs)
        await tracker.start("acme", "ATRIP", ref, `O-${ref}`, { status: "A", n: 0 }, { source: "SUBMIT", started: true });
      for (const ref of refs) supplier.state.set(ref, { status: "B", n: 1, ...(ref === "Q39" ? { note: "x\u0000" } : {}) } as R);
      await store.tracked.soon(refs.map((ref) => ({ kind: "void", tenant: "acme", supplier: "ATRIP", ref })));
      expect(await tracker.pollDue("me", 100, 30_000)).toBe(40);
      const moved = events.filter((e) => e.source === "POLL").map((e) => e.ref);
      expect(moved.sort()).toEqual(refs.slice(0, 39));
      const records = await Promise.all(refs.map((ref) => tracker.get("acme", "ATRIP", ref)));
      expect(records.filter((r) => r!.status === "B")).toHaveLength(39);
      expect(records[39]).toMatchObject({ status: "A", checkFailure: { code: "INTERNAL_SERVER_ERROR" } });
      const history = await store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM tracked_events WHERE ref LIKE 'Q%' AND source = 'POLL'",
      );
      expect(history[0].n).toBe(39);
    },
  );
});
