/**
 * NODE_ENV=production: no schema names suggested in any request error — in validation errors
 * (Apollo's own option) and in errors about variable values (graphql-js adds "Did you mean …?"
 * there too) — over HTTP, SSE and the websocket. Outside production the suggestions help.
 */
import { afterEach, describe, expect, it } from "vitest";
import { wsClient, wsRequest } from "../helpers/clients.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const STOP = "mutation($i: StopTicketIssuanceInput!) { stopTicketIssuance(input: $i) { state } }";
const CASES: Array<[string, string, Record<string, unknown>]> = [
  ["an input field misspelt", STOP, { i: { supplier: "ATRIP", ordrNo: "X" } }],
  ["an enum value in a variable", 'query($s: Supplier!) { voidOrder(supplier: $s, voidCode: "X") { voidCode } }', { s: "atrip" }],
  ["a field misspelt", "{ supplier { supplier } }", {}],
];

describe("suggestions in errors", () => {
  it.each(CASES)("production: none for %s, over HTTP, SSE and the websocket", async (_what, query, variables) => {
    t = await startTestGateway({ NODE_ENV: "production" });
    const http = await gql(t.url, query, variables);
    expect(http.errors?.length).toBeGreaterThan(0);
    const client = wsClient(t.wsUrl);
    const ws = await wsRequest(client, query, variables).catch((e: unknown) => ({ errors: e as Array<{ message: string }> }));
    await client.dispose();
    const sse = await (
      await fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query, variables }),
      })
    ).text();
    expect(sse).toMatch(/"errors"/);
    expect(sse).not.toMatch(/Did you mean/);
    for (const errors of [http.errors, ws.errors]) {
      expect(errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(errors), JSON.stringify(errors)).not.toMatch(/Did you mean/);
    }
    expect(http.errors?.[0]?.extensions?.code).toMatch(/^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
  });

  it("outside production they are kept", async () => {
    t = await startTestGateway();
    for (const [, query, variables] of CASES) expect(JSON.stringify((await gql(t.url, query, variables)).errors)).toMatch(/Did you mean/);
  });
});
