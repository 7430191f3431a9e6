/**
 * Graceful shutdown on SIGTERM: websockets closed with 1001, in-flight requests finished,
 * every webhook that got a 200 durably in the inbox, exit 0 within the bound.
 */
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { gql, QUOTE, SUBMIT, VOID_EVENTS } from "../helpers/graphql.js";
import { fresh } from "../helpers/atrip.js";
import { simStats, startGatewayProcess } from "../helpers/process.js";
import { freshDataDir } from "../helpers/store.js";

describe("graceful shutdown", () => {
  it("closes sockets with 1001 and loses no accepted webhook", async () => {
    const dataDir = freshDataDir();
    const token = "shutdown-test-token-0123456789";
    const gw = await startGatewayProcess({ DATA_DIR: dataDir, ATRIP_WEBHOOK_TOKEN: token });
    const hook = gw.url.replace("/graphql", `/webhooks/atrip/${token}`);

    const client = wsClient(gw.wsUrl);
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));
    client.subscribe({ query: VOID_EVENTS, variables: {} }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await new Promise((r) => setTimeout(r, 300));

    // Keep webhooks coming while the gateway shuts down; count the ones it accepted.
    let accepted = 0;
    let sending = true;
    const sender = (async () => {
      let i = 0;
      while (sending) {
        const body = JSON.stringify({ cid: "c", type: "order.other", status: -1, data: { n: i++ } });
        const status = await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) accepted += 1;
        else if (status === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 400));
    const started = Date.now();
    const code = await gw.stop("SIGTERM");
    const took = Date.now() - started;
    sending = false;
    await sender;

    expect(code).toBe(0);
    expect(took).toBeLessThan(15_000);
    expect(await closed).toBe(1001);
    expect(accepted).toBeGreaterThan(0);
    const store = await openStore({ dataDir });
    try {
      const counts = await store.inbox.countByState();
      const stored = Object.values(counts).reduce((a, b) => a + b, 0);
      // Every accepted webhook is stored (one stored just as the connection closed would only add to it).
      expect(stored).toBeGreaterThanOrEqual(accepted);
    } finally {
      await store.close();
    }
  });

  it("lets the state-changing calls in flight finish and records them: a client that left, a websocket's answer before its 1001", async () => {
    const dataDir = freshDataDir();
    const gw = await startGatewayProcess({ DATA_DIR: dataDir });
    const atrip = gw.sims.ATRIP!;
    const [left, socketed] = [fresh("ATR-VOID-DEPOSIT"), fresh("ATR-VOID-DEPOSIT")];
    const offers = await Promise.all(
      [left, socketed].map(
        async (orderNo) => (await gql<{ voidQuote: { voidOfferId: string } }>(gw.url, QUOTE, { orderNo })).data!.voidQuote.voidOfferId,
      ),
    );
    // ATRIP acts at once and answers void.do 3 s later.
    await fetch(`${new URL(atrip).origin}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ replyDelayMs: 3000, operations: ["void.do"] }),
    });
    // One client gives up on its submitVoid after 300 ms; another submits over the websocket.
    const gone = fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: SUBMIT, variables: { orderNo: left, offer: offers[0] } }),
      signal: AbortSignal.timeout(300),
    }).catch(() => "aborted");
    const client = wsClient(gw.wsUrl);
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));
    const answered = wsRequest<{ submitVoid: { voidCode: string } }>(client, SUBMIT, { orderNo: socketed, offer: offers[1] });
    expect(await gone).toBe("aborted");
    await expect.poll(async () => (await simStats(atrip)).byOperation["void.do"], { timeout: 5_000 }).toBe(2);

    const started = Date.now();
    const code = await gw.stop("SIGTERM");
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    // The socket's answer came before its close.
    expect((await answered).data?.submitVoid.voidCode).toMatch(/\S/);
    expect(await closed).toBe(1001);

    const store = await openStore({ dataDir });
    try {
      for (const orderNo of [left, socketed]) {
        expect(await store.tracked.byOrder("void", "demo", orderNo)).toHaveLength(1);
        expect(await store.unsettled.byOrder("ATRIP", "VOID", orderNo)).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });
});
