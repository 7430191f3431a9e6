/**
 * A tracked kind is one file and a line in a list (issue 21, item 5): a third kind that exists
 * only for this test (test/fixtures/refund-watch: a refund watch over a void) is passed with the
 * real list, and the gateway reads its schedule rows, runs its engine and poller against the
 * ATRIP simulator, records its events in the log and shows its gauge — no shared file names it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, helpText } from "../../src/config/index.js";
import { TRACKED_KINDS } from "../../src/tracking/kinds/index.js";
import { REFUND_WATCH, refundWatch, type RefundReport } from "../fixtures/refund-watch/kind.js";
import { eventually } from "../helpers/atrip.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit } from "../helpers/graphql.js";

const KINDS = [...TRACKED_KINDS, refundWatch];
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ REFUND_WATCH_POLL_MIN_MS: "200", REFUND_WATCH_POLL_MAX_MS: "400" }, undefined, undefined, { kinds: KINDS });
});
afterAll(async () => t?.close());

describe("a third tracked kind through the list", () => {
  it("brings its own schedule rows", () => {
    expect(helpText(undefined, KINDS)).toContain("REFUND_WATCH_POLL_MIN_MS");
    expect(loadConfig({ REFUND_WATCH_POLL_MIN_MS: "250" }, undefined, KINDS).polls[REFUND_WATCH]).toEqual({
      minMs: 250,
      maxMs: 1_800_000,
      watchedMs: 10_000,
    });
    expect(() => loadConfig({ REFUND_WATCH_POLL_MIN_MS: "9", REFUND_WATCH_POLL_MAX_MS: "5" }, undefined, KINDS)).toThrow(
      /REFUND_WATCH_POLL_MIN_MS: must not exceed REFUND_WATCH_POLL_MAX_MS/,
    );
  });

  it("is polled to its final state by its own engine, its events in the log, its gauge on /metrics", async () => {
    const orderNo = `ATR-VOID-DEPOSIT-${Date.now()}`;
    const voidCode = await quoteAndSubmit(t.url, orderNo);
    const tracker = t.gw.services.tracking.tracker<RefundReport>(REFUND_WATCH);
    const started = await tracker.start(
      "demo",
      "ATRIP",
      voidCode,
      orderNo,
      { status: "WAITING", refund: null },
      { source: "SUBMIT", started: true },
    );
    expect(started?.status).toBe("WAITING");

    const gauge = await (await fetch(new URL("/metrics", t.url))).text();
    expect(gauge).toMatch(/^gateway_open_refund_watches 1$/m);

    const settled = await eventually(async () => {
      const r = await tracker.get("demo", "ATRIP", voidCode);
      return r?.isFinal ? r : null;
    }, 20_000);
    expect(settled.status).toBe("SETTLED");
    expect(settled.data.refund).toMatch(/^\d+(\.\d+)?$/);
    const history = await t.gw.services.tracking.history<RefundReport>(tracker.key("demo", "ATRIP", voidCode));
    expect(history.map((e) => [e.status, e.source])).toEqual([
      ["WAITING", "SUBMIT"],
      ["SETTLED", "POLL"],
    ]);
    expect(await (await fetch(new URL("/metrics", t.url))).text()).toMatch(/^gateway_open_refund_watches 0$/m);
  });
});
