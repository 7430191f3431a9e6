/**
 * A browser's own EventSource (headless Chromium) following a void over SSE, its connection cut
 * while the void moves on: EventSource reconnects by itself, to the same URL, sending the id
 * line of the last event it got as `Last-Event-ID`, and the gateway resumes after it, so the
 * changes made while it was away come once each. Skipped, saying why, only where no Chromium
 * can be had outside CI.
 */
import { createConnection, createServer, type Socket } from "node:net";
import type { BrowserContext } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit } from "../helpers/graphql.js";

let t: TestGateway | undefined;
let browser: BrowserContext | undefined;
let proxy: { origin: string; cut: () => void; lastEventIds: string[]; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await browser?.close();
  await proxy?.close();
  await t?.close();
  [browser, proxy, t] = [undefined, undefined, undefined];
});

/** A TCP relay to the gateway whose connections the test can cut, noting each request's Last-Event-ID. */
async function relay(target: URL): Promise<NonNullable<typeof proxy>> {
  const sockets = new Set<Socket>();
  const lastEventIds: string[] = [];
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (chunk: Buffer) => {
      const id = /^last-event-id: *(.*)\r$/im.exec(chunk.toString("latin1"))?.[1];
      if (id !== undefined) lastEventIds.push(id);
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    lastEventIds,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(skipWithoutChromium("EventSource browser test"))("a browser's EventSource", () => {
  it("reconnects by itself after a cut with Last-Event-ID, and gets the changes it missed, each once", async () => {
    t = await startTestGateway({ VOID_POLL_MIN_MS: "200", VOID_POLL_WATCHED_MS: "200" });
    proxy = await relay(new URL(t.url));
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${proxy.origin}/healthz`);
    const orderNo = fresh("ATR-VOID-DEPOSIT");
    const query = "subscription($o: String) { voidStatusChanged(orderNo: $o) { id status } }";
    const url = `${proxy.origin}/graphql?${new URLSearchParams({ query, variables: JSON.stringify({ o: orderNo }) })}`;
    await page.evaluate((u) => {
      const w = window as unknown as { got: Array<{ lastEventId: string; data: string }>; opens: number };
      w.got = [];
      w.opens = 0;
      const source = new EventSource(u);
      source.onopen = () => (w.opens += 1);
      source.addEventListener("next", (e) =>
        w.got.push({ lastEventId: (e as MessageEvent).lastEventId, data: (e as MessageEvent).data as string }),
      );
    }, url);
    const got = () =>
      page.evaluate(() =>
        (window as unknown as { got: Array<{ lastEventId: string; data: string }> }).got.map((m) => ({
          lastEventId: m.lastEventId,
          event: (JSON.parse(m.data) as { data: { voidStatusChanged: { id: string; status: string } } }).data.voidStatusChanged,
        })),
      );
    await eventually(() => t!.gw.services.tracking.subscriptions.active === 1);
    await quoteAndSubmit(t.url, orderNo);
    const [first] = await eventually(async () => ((await got()).length ? got() : undefined));
    // Cut at once: the next changes (one a second on the demo clock) are made while it is away
    // (Chromium waits about 3 s before it reconnects).
    proxy.cut();
    expect(first!.event.status).toBe("SUPPLIER_PROCESSING");
    expect(first!.lastEventId).toBe(first!.event.id);
    const all = await eventually(async () => {
      const g = await got();
      return g.some((m) => m.event.status === "REFUNDED") ? g : undefined;
    }, 20_000);
    expect(all.map((m) => m.event.status)).toEqual(["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"]);
    expect(all.every((m) => m.lastEventId === m.event.id)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { opens: number }).opens)).toBeGreaterThanOrEqual(2);
    expect(proxy.lastEventIds).toContain(first!.event.id);
  }, 60_000);
});
