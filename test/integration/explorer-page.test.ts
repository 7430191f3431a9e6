/**
 * The offline explorer's page (EXPLORER=graphiql) over HTTP, without a browser: megabytes the
 * same for everyone, so gzipped once, revalidated by its ETag (304 with no body), and its `Vary`
 * naming both Origin (CORS) and Accept-Encoding, so a shared cache keeps one copy per pair.
 * The browser test (test/e2e/explorer.test.ts) runs the page itself.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ EXPLORER: "graphiql", CORS_ORIGINS: "https://app.example" });
});
afterAll(async () => t?.close());

async function page(headers: Record<string, string>) {
  const res = await request(t.url, { headers: { accept: "text/html", origin: "https://app.example", ...headers } });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

describe("the explorer's page", () => {
  it("is sent gzipped with an ETag, and a browser that has it gets 304", async () => {
    const gzipped = await page({ "accept-encoding": "gzip" });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers).toMatchObject({
      "content-encoding": "gzip",
      "cache-control": "no-cache",
      "access-control-allow-origin": "https://app.example",
    });
    expect(String(gzipped.headers.vary).split(/\s*,\s*/)).toEqual(expect.arrayContaining(["Origin", "Accept-Encoding"]));
    const etag = String(gzipped.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);

    const plain = await page({});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    // Each encoding its own validator (RFC 9110), so a cache never pairs a 304 with the other body.
    expect(plain.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(plain.headers.etag).not.toBe(etag);
    expect((await page({ "if-none-match": String(plain.headers.etag) })).status).toBe(304);
    expect((await page({ "if-none-match": etag })).status).toBe(200);
    expect(plain.body.length).toBeGreaterThan(gzipped.body.length * 2);
    expect(plain.body.toString()).toMatch(/<html/i);

    const again = await page({ "accept-encoding": "gzip", "if-none-match": `"other", ${etag}` });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
  });
});

describe("CORS", () => {
  it("preflights allow the methods /graphql serves and may be cached; the request id is readable", async () => {
    const preflight = await request(t.url, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    await preflight.body.dump();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ "access-control-allow-methods": "GET,POST", "access-control-max-age": "600" });
    const res = await request(t.url, {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "application/json" },
      body: '{"query":"{ suppliers { supplier } }"}',
    });
    await res.body.dump();
    // Retry-After too: a 503 while the JWT keys cannot be fetched says when to try again (docs probe, thirty-third session).
    expect(res.headers["access-control-expose-headers"]).toBe("x-request-id,www-authenticate,retry-after");
  });
});
