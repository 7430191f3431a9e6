/** Many graphql-ws clients for the subscription benches, opened 250 at a time. */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/**
 * Opens `n` clients, each with one subscription (`query(i)`), and resolves once all are
 * connected and their subscribe messages have had a second to reach the gateway.
 */
export async function openSubscribers(
  wsUrl: string,
  n: number,
  query: (i: number) => string,
  onNext: (i: number, data: unknown) => void,
  connectionParams?: Record<string, unknown>,
): Promise<Client[]> {
  const clients: Client[] = [];
  for (let start = 0; start < n; start += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, n - start) }, (_, k) => {
        const i = start + k;
        const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams });
        clients.push(client);
        return new Promise<void>((resolve, reject) => {
          client.on("connected", () => resolve());
          client.on("closed", (e) => reject(new Error(`client ${i} closed: ${JSON.stringify(e)}`)));
          client.subscribe({ query: query(i) }, { next: (r) => onNext(i, r.data), error: () => undefined, complete: () => undefined });
        });
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 1000));
  return clients;
}
