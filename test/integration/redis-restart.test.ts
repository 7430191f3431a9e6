/**
 * Redis restart in scale-out mode: the gateway keeps answering, ioredis reconnects and
 * re-subscribes, live delivery resumes, and nothing recorded during the outage is lost — a
 * subscriber resuming with afterEventId gets it from the log. Uses a private redis-server
 * (so the machine's Redis is never disturbed); skipped with a reason without TEST_REDIS_URL.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, fresh } from "../helpers/atrip.js";
import { wsClient } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { quoteAndSubmit, VOID_EVENTS, type EventOut } from "../helpers/graphql.js";
import { REDIS_URL, skipReason } from "../helpers/store.js";
import { freePort } from "../helpers/net.js";
import { collect } from "../helpers/subscribe.js";

const hasBinary = spawnSync("redis-server", ["--version"]).status === 0;
const skip = !REDIS_URL ? skipReason("Redis restart", "TEST_REDIS_URL") : !hasBinary ? skipReason("Redis restart", "redis-server (binary)") : false;

let redis: ChildProcess | undefined;
let t: TestGateway | undefined;
afterAll(async () => {
  await t?.close();
  redis?.kill("SIGKILL");
});


async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  await eventually(async () => {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(true)); // port taken: redis is listening
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
    });
    return ok;
  }, 5000);
  return child;
}

describe.skipIf(skip)("Redis restart", () => {
  it("loses no event: live delivery resumes and missed events replay from the log", async () => {
    const port = await freePort();
    redis = await startRedis(port);
    t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `rr-${port}:`, VOID_POLL_MIN_MS: "3600000", VOID_POLL_WATCHED_MS: "3600000" });
    t.sandbox.atrip!.server.faults.webhookDropRate = 1;
    const client = wsClient(t.wsUrl);
    const live = collect<EventOut>(client, VOID_EVENTS, {}, (d) => d.voidStatusChanged as EventOut);
    await new Promise((r) => setTimeout(r, 200));
    const v1 = await quoteAndSubmit(t.url, fresh("ATR-VOID-DEPOSIT"));
    const first = await live.waitUntil((e) => e.voidCode === v1);

    redis.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    const ready = await fetch(t.url.replace("/graphql", "/readyz"));
    expect(ready.status).toBe(503);
    const v2 = await quoteAndSubmit(t.url, fresh("ATR-VOID-VCC")); // the gateway keeps answering

    redis = await startRedis(port);
    await eventually(async () => (await fetch(t!.url.replace("/graphql", "/readyz"))).status === 200, 15_000);
    await new Promise((r) => setTimeout(r, 500)); // ioredis re-subscribes after reconnecting
    const v3 = await quoteAndSubmit(t.url, fresh("ATR-VOID-REJECT"));
    await live.waitUntil((e) => e.voidCode === v3, 15_000);
    expect(new Set(live.items.map((e) => e.id)).size).toBe(live.items.length);

    const resumed = collect<EventOut>(client, VOID_EVENTS, { after: first.id }, (d) => d.voidStatusChanged as EventOut);
    await resumed.waitUntil((e) => e.voidCode === v3);
    expect(resumed.items.map((e) => e.voidCode)).toEqual([v2, v3]);
    live.stop();
    resumed.stop();
    await client.dispose();
  });
});
