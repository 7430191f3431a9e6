/**
 * On the embedded store a gateway is the store's only instance (its DATA_DIR lock keeps others
 * out): at start it takes back the webhooks and leases a killed predecessor left, instead of
 * waiting them out (60 s for a webhook; a crash probe's acknowledged webhooks waited a minute
 * after a restart, thirty-second session). On PostgreSQL another instance may hold them: they wait.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/index.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { newVoid, voidData, voidKey } from "../helpers/records.js";
import { DATABASE_URL, pgliteStore, postgresStore, skipReason } from "../helpers/store.js";

const pgSkip = DATABASE_URL ? false : skipReason("Left work on PostgreSQL", "TEST_DATABASE_URL");
let t: TestGateway | undefined;
let store: Store | undefined;
afterEach(async () => {
  await t?.close();
  await store?.close();
  t = store = undefined;
});

/** What a killed run left: a webhook it was processing, and a void it had leased for a check. */
async function leftByDeadRun(s: Store) {
  const row = await s.inbox.insert("ATRIP", "order.other", { cid: "c", type: "order.other", data: {} }, null, "dead-run");
  const d = voidData();
  await s.tracked.insert(newVoid("acme", d, { firstCheckInMs: 3_600_000 }));
  await s.db.query("UPDATE tracked SET lease_owner = 'dead-run', lease_expires_at = now() + interval '1 hour' WHERE ref = $1", [
    d.voidCode,
  ]);
  const inboxState = async () =>
    (
      await s.db.query<{ state: string; claimed_by: string | null }>("SELECT state, claimed_by FROM webhook_inbox WHERE id = $1", [row.id])
    )[0];
  const lease = async () =>
    (await s.db.query<{ lease_owner: string | null }>("SELECT lease_owner FROM tracked WHERE ref = $1", [d.voidCode]))[0];
  return { inboxState, lease, key: voidKey("acme", d) };
}

describe("what a killed run left", () => {
  it("the embedded store's next run takes back its webhooks and leases at start", async () => {
    store = await pgliteStore();
    const left = await leftByDeadRun(store);
    t = await startTestGateway({}, store);
    expect((await left.lease()).lease_owner).toBeNull();
    // Handed back and finished at once (a type the gateway ignores: IGNORED), not after 60 s.
    const until = Date.now() + 5000;
    const open = (state: string) => state === "PROCESSING" || state === "RECEIVED";
    while (open((await left.inboxState()).state) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await left.inboxState()).toEqual({ state: "IGNORED", claimed_by: null });
  });

  it.skipIf(pgSkip)("on PostgreSQL another instance may hold them: they wait", async () => {
    store = await postgresStore();
    const left = await leftByDeadRun(store);
    t = await startTestGateway({}, store);
    await new Promise((r) => setTimeout(r, 500));
    expect(await left.lease()).toEqual({ lease_owner: "dead-run" });
    expect(await left.inboxState()).toEqual({ state: "PROCESSING", claimed_by: "dead-run" });
  });
});
