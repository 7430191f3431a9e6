/** What the benches ask a running gateway over HTTP: GraphQL with an API key, and voids to track. */
import { request } from "undici";

/** The ATRIP credentials of the benches' simulators. */
export const BENCH_ATRIP = { clientId: "bench-client", clientSecret: "bench-secret" };

/** The API key every bench gateway is started with (tenant "bench", read and write). */
export const BENCH_KEY = "bench-api-key-0123456789";
export const BENCH_API_KEYS = JSON.stringify([{ key: BENCH_KEY, tenant: "bench", scopes: ["read", "write"] }]);

/** A gateway's environment for ATRIP at a bench simulator, with the bench API key. */
export function atripGatewayEnv(simUrl: string): Record<string, string> {
  return {
    ATRIP_BASE_URL: simUrl,
    ATRIP_CLIENT_ID: BENCH_ATRIP.clientId,
    ATRIP_CLIENT_SECRET: BENCH_ATRIP.clientSecret,
    API_KEYS: BENCH_API_KEYS,
  };
}

/** Runs one GraphQL operation; throws on any error. */
export async function gql<T>(url: string, query: string): Promise<T> {
  const res = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.body.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Quotes and submits a void for a fresh copy of ATR-VOID-DEPOSIT; its voidCode and when the reply came. */
export async function submitDepositVoid(url: string, suffix: string): Promise<{ voidCode: string; at: number }> {
  const orderNo = `ATR-VOID-DEPOSIT-${suffix}`;
  const q = await gql<{ voidQuote: { voidOfferId: string } }>(
    url,
    `mutation { voidQuote(input: { supplier: ATRIP, orderNo: "${orderNo}" }) { voidOfferId } }`,
  );
  const s = await gql<{ submitVoid: { voidCode: string } }>(
    url,
    `mutation { submitVoid(input: { supplier: ATRIP, orderNo: "${orderNo}", voidOfferId: "${q.voidQuote.voidOfferId}" }) { voidCode } }`,
  );
  return { voidCode: s.submitVoid.voidCode, at: Date.now() };
}

/** Runs job(0..n-1), `width` at a time; results in index order. */
export async function inParallel<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}
