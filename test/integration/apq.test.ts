/** Automatic persisted queries over POST and GET (what mobile clients use to save bandwidth). */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const query = "query Suppliers { suppliers { supplier operations } }";
const sha256Hash = createHash("sha256").update(query).digest("hex");
const extensions = { persistedQuery: { version: 1, sha256Hash } };

async function post(body: unknown) {
  const res = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
}

describe("automatic persisted queries", () => {
  it("hash only → PERSISTED_QUERY_NOT_FOUND; hash + query registers; then the hash alone works over POST and GET", async () => {
    expect((await post({ extensions })).errors?.[0]?.extensions?.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect((await post({ query, extensions })).data).toBeTruthy();
    expect((await post({ extensions })).data).toMatchObject({ suppliers: expect.any(Array) });
    const url = `${t.url}?operationName=Suppliers&extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const get = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: unknown }).data).toMatchObject({ suppliers: expect.any(Array) });
  });

  it("refuses a hash that does not match the query", async () => {
    const wrong = { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } };
    const r = await post({ query, extensions: wrong });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });
});
