/**
 * The offline explorer (issue 25, item 5): with EXPLORER=graphiql, headless Chromium opens
 * /graphql with every request to another host blocked, and GraphiQL — served by the gateway
 * from its own files — loads, runs a query, a mutation and a subscription that receives a demo
 * void's changes up to its final one. No request to another host is even attempted. Skipped,
 * saying why, only where no Chromium can be had outside CI; in CI a missing Chromium fails.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipWithoutChromium } from "../helpers/chromium.js";
import { quoteAndSubmit } from "../helpers/graphql.js";
import { startGatewayProcess, type GatewayProcess } from "../helpers/process.js";

/** Open subscription streams over HTTP, from the gateway's /metrics. */

async function openStreams(url: string): Promise<number> {
  const text = await (await fetch(url.replace("/graphql", "/metrics"))).text();
  return [...text.matchAll(/^gateway_http_subscription_streams\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe.skipIf(skipWithoutChromium("explorer browser test"))("the offline explorer (EXPLORER=graphiql) in Chromium", () => {
  let gateway: GatewayProcess;
  let browser: BrowserContext;
  const elsewhere: string[] = [];

  beforeAll(async () => {
    gateway = await startGatewayProcess({ EXPLORER: "graphiql", VOID_POLL_MIN_MS: "200", SANDBOX_TIME_SCALE: "60" });
    browser = await launchChromium();
    const own = new URL(gateway.url).host;
    // Every request to another host is refused (and remembered), as on a network with no way out.
    await browser.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (/^(https?|wss?):$/.test(url.protocol) && url.host !== own) {
        elsewhere.push(url.href);
        return route.abort("internetdisconnected");
      }
      return route.continue();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** Replaces the query editor's text, runs it, and resolves once the response panel matches `until`. */
  async function run(page: Page, query: string, until: RegExp): Promise<string> {
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.type(query);
    // GraphiQL reads the operation's name from the editor after a debounce; run once it has.
    await page.waitForTimeout(700);
    await page.locator(".graphiql-execute-button").click();
    // The response panel's text, spaces normalised (the editor renders non-breaking ones).
    const shown = async () => (await page.locator(".graphiql-response").innerText()).replace(/\s+/g, " ");
    await expect.poll(shown, { timeout: 30_000 }).toMatch(until);
    return shown();
  }

  it("loads with no other host reachable, and runs a query, a mutation and a subscription", async () => {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on("console", (m) => console.push(m.text()));
    try {
      const res = await page.goto(gateway.url);
      expect(res?.status()).toBe(200);
      expect(await res?.headerValue("content-encoding")).toBe("gzip");
      await page.locator(".graphiql-execute-button").waitFor({ timeout: 30_000 });

      await run(page, "query Listed { suppliers { supplier available } }", /"supplier": "ATRIP"/);
      const orderNo = `ATR-VOID-DEPOSIT-explorer${Date.now()}`;
      await run(
        page,
        `mutation Quoted { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { isVoidable } }`,
        /"isVoidable": true/,
      );

      // The subscription runs over SSE on /graphql; its changes arrive as the void moves.
      const followed = `ATR-VOID-DEPOSIT-explorer-follow${Date.now()}`;
      const subscribed = run(
        page,
        `subscription Followed { voidStatusChanged(orderNo: "${followed}") { status isFinal } }`,
        /"status": "REFUNDED"/,
      );
      await expect.poll(() => openStreams(gateway.url), { timeout: 15_000 }).toBe(1);
      await quoteAndSubmit(gateway.url, followed);
      expect(await subscribed).toMatch(/"isFinal": true/);
      expect(elsewhere).toEqual([]);
    } catch (err) {
      throw new Error(`${String(err)}\npage console:\n${console.join("\n")}\nrefused: ${elsewhere.join(", ")}`, { cause: err });
    } finally {
      await page.close();
    }
  }, 90_000);
});
