/**
 * The alert rules and the dashboard (issue 25, item 4): `promtool test rules` runs the rules'
 * own unit tests (each fires when it should, stays quiet when it should not); every metric the
 * rules and the dashboard name is one a running gateway exposes (a renamed metric would
 * silently disable its alert); and the store-read gauges keep the scrape working while the
 * store is away, with gateway_store_up at 0. Skipped, saying why, only where promtool cannot be
 * had outside CI (Debian's prometheus package); in CI a missing promtool fails.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { gql } from "../helpers/graphql.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROMTOOL = process.env.PROMTOOL_PATH ?? "/usr/bin/promtool";
const havePromtool = existsSync(PROMTOOL);
const inCi = process.env.CI === "true";
if (!havePromtool && !inCi)
  console.log(`promtool tests skipped: no promtool at ${PROMTOOL} (apt-get install -y prometheus, or set PROMTOOL_PATH)`);

const ALERTS = join(ROOT, "deploy/prometheus/alerts.yml");
const DASHBOARD = join(ROOT, "deploy/grafana/gateway-dashboard.json");

function promtool(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(PROMTOOL, args, { cwd: ROOT }, (err, stdout, stderr) =>
      err ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout + stderr),
    ),
  );
}

/** The metric names an expression uses (a histogram's series by their family name). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:gateway|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ""));
}

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function scrape(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url.replace("/graphql", "/metrics"));
  return { status: res.status, text: await res.text() };
}
const sample = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);

describe("alert rules and dashboard", () => {
  it.skipIf(!havePromtool && !inCi)("promtool: the rules are valid and their unit tests pass", async () => {
    if (!havePromtool) throw new Error(`no promtool at ${PROMTOOL}: .ci/run installs Debian's prometheus package`);
    expect(await promtool("check", "rules", ALERTS)).toMatch(/SUCCESS: \d+ rules found/);
    expect(await promtool("test", "rules", join(ROOT, "deploy/prometheus/alerts.test.yml"))).toMatch(/SUCCESS/);
  });

  it("every metric the rules and the dashboard name is exposed by a running gateway", async () => {
    t = await startTestGateway();
    await gql(t.url, "{ __typename }");
    const { text } = await scrape(t.url);
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const fromRules = [...readFileSync(ALERTS, "utf8").matchAll(/expr: (?:\|\n)?([\s\S]*?)\n\s+(?:for|labels):/g)].flatMap((m) =>
      metricsIn(m[1]!),
    );
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const fromDashboard = dashboard.panels.flatMap((p) => p.targets.flatMap((q) => metricsIn(q.expr)));
    expect(fromRules.length).toBeGreaterThan(8);
    expect(fromDashboard.length).toBeGreaterThan(15);
    expect([...new Set([...fromRules, ...fromDashboard])].filter((m) => !exposed.has(m))).toEqual([]);
  });

  it("with the store away, the scrape still answers: gateway_store_up is 0 and the store's gauges are NaN", async () => {
    t = await startTestGateway();
    const up = await scrape(t.url);
    expect(up.status).toBe(200);
    expect(sample(up.text, "gateway_store_up")).toBe(1);
    expect(sample(up.text, "gateway_webhook_inbox_backlog")).toBe(0);
    expect(sample(up.text, 'gateway_check_lag_seconds\\{kind="stop"\\}')).toBe(0);
    expect(sample(up.text, "gateway_subscriptions_tenant_limit")).toBe(20_000);
    expect(sample(up.text, 'gateway_unsettled_orders\\{operation="VOID"\\}')).toBe(0);
    t.gw.services.tracking.pause();
    await t.store.db.close();
    const down = await scrape(t.url);
    expect(down.status).toBe(200);
    expect(sample(down.text, "gateway_store_up")).toBe(0);
    expect(sample(down.text, "gateway_webhook_inbox_backlog")).toBeNaN();
    expect(sample(down.text, "gateway_open_voids")).toBeNaN();
    expect(sample(down.text, 'gateway_unsettled_orders\\{operation="CANCEL"\\}')).toBeNaN();
  });
});
