/**
 * The web example in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) loads the built page from another origin than the gateway, with
 * CORS_ORIGINS, an API key and trusted documents (the release's manifest, safelist mode) on,
 * and follows a demo void to its final status. A page served from an origin not in
 * CORS_ORIGINS reads nothing, over HTTP or the websocket. Skipped, saying why, only where no
 * Chromium can be had outside CI; in CI a missing Chromium fails.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.js";
import { API_KEYS, KEYS } from "../helpers/auth.js";
import { startGatewayProcess, simStats, type GatewayProcess } from "../helpers/process.js";
import { buildWebExample, serveStatic } from "../helpers/web-example.js";

const LADDER = ["SUPPLIER_PROCESSING", "AIRLINE_PROCESSING", "REFUNDED"];

describe.skipIf(skipWithoutChromium("web example browser test"))("the web example in Chromium", () => {
  let gateway: GatewayProcess;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let elsewhere: Awaited<ReturnType<typeof serveStatic>>;
  let browser: BrowserContext;

  beforeAll(async () => {
    const build = await buildWebExample();
    site = await serveStatic(build.dir);
    elsewhere = await serveStatic(build.dir);
    gateway = await startGatewayProcess({
      CORS_ORIGINS: site.origin,
      API_KEYS,
      TRUSTED_DOCUMENTS: build.manifest,
      TRUSTED_DOCUMENTS_MODE: "safelist",
      VOID_POLL_MIN_MS: "200",
      // Slow enough for each status to be seen: the demo void takes about 2 s.
      SANDBOX_TIME_SCALE: "60",
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await site?.close();
    await elsewhere?.close();
  });

  const pageUrl = (origin: string, orderNo: string, subscriptions = "websocket") =>
    `${origin}/index.html?${new URLSearchParams({ gateway: gateway.url, token: KEYS.acmeWrite, order: orderNo, subscriptions })}`;

  async function open(url: string): Promise<{ page: Page; console: string[] }> {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on("console", (m) => console.push(m.text()));
    page.on("pageerror", (e) => console.push(String(e)));
    await page.goto(url);
    return { page, console };
  }

  // Over a websocket (GraphQLWsLink), and over HTTP with Apollo Client's plain HttpLink
  // (Apollo's multipart subscription protocol, through the browser's fetch).
  it.each(["websocket", "http"])(
    "quotes, voids and shows each status as it arrives, up to the final one (subscription over %s)",
    async (subscriptions) => {
      const orderNo = `ATR-VOID-DEPOSIT-web${Date.now()}`;
      const { page, console } = await open(pageUrl(site.origin, orderNo, subscriptions));
      try {
        await page.locator("#suppliers", { hasText: "ATRIP" }).waitFor({ timeout: 15_000 });
        await page.click("#quote");
        await page.locator("#quoted", { hasText: "Refund 1180.50 CNY" }).waitFor({ timeout: 15_000 });
        await page.click("#void");
        await page.locator("#final", { hasText: /^REFUNDED$/ }).waitFor({ timeout: 30_000 });
        const statuses = await page.locator("#statuses li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-status")));
        // Each change as it arrived, in order, ending with the final one (a short-lived status may
        // be passed over by the gateway's confirmation, never invented or repeated).
        expect(statuses.at(-1)).toBe("REFUNDED");
        expect(LADDER.filter((s) => statuses.includes(s))).toEqual(statuses);
        expect(await page.textContent("#voidCode")).toMatch(/\S/);
        expect(await page.textContent("#error")).toBe("");
      } catch (err) {
        throw new Error(`${String(err)}\npage console:\n${console.join("\n")}\ngateway:\n${gateway.output().slice(-3000)}`, { cause: err });
      } finally {
        await page.close();
      }
    },
    60_000,
  );

  it("a page from an origin not in CORS_ORIGINS cannot read an answer, over HTTP or the websocket", async () => {
    const before = await simStats(gateway.sims.ATRIP);
    const { page } = await open(pageUrl(elsewhere.origin, `ATR-VOID-DEPOSIT-cors${Date.now()}`));
    try {
      // The app's own first query fails as the browser blocks it.
      await page.locator("#error", { hasText: "network error" }).waitFor({ timeout: 15_000 });
      expect(await page.textContent("#suppliers")).toBe("…");
      const attempts = await page.evaluate(
        async ({ url, token }) => {
          const http = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: "{ suppliers { supplier } }" }),
          }).then(
            (r) => `read ${r.status}`,
            (e: unknown) => `blocked: ${String(e)}`,
          );
          const ws = await new Promise<string>((resolve) => {
            const socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
            socket.onopen = () => resolve("opened");
            socket.onerror = () => resolve("refused");
          });
          return { http, ws };
        },
        { url: gateway.url, token: KEYS.acmeWrite },
      );
      expect(attempts.http).toMatch(/^blocked: TypeError/);
      expect(attempts.ws).toBe("refused");
      expect((await simStats(gateway.sims.ATRIP)).total).toBe(before.total);
    } finally {
      await page.close();
    }
  }, 30_000);
});
