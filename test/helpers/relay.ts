/**
 * A TCP relay in front of a server (PostgreSQL, Redis) that can make the connections it carries
 * go silent: nothing passes either way and nothing is closed, as when a network path or a
 * pooler hangs. Connections opened afterwards pass as usual.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export class SilencingRelay {
  private readonly live = new Set<[Socket, Socket]>();
  private readonly silenced: Socket[] = [];

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<SilencingRelay> {
    const server = createServer();
    const relay = new SilencingRelay(server);
    server.on("connection", (client) => {
      const upstream = connect(targetPort, targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      relay.live.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        relay.live.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return relay;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** The connections open now go silent (held open, nothing forwarded); new ones pass. Returns how many. */
  silence(): number {
    const n = this.live.size;
    for (const [client, upstream] of this.live) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      this.silenced.push(client, upstream);
    }
    this.live.clear();
    return n;
  }

  async close(): Promise<void> {
    for (const s of this.silenced) s.destroy();
    for (const pair of this.live) for (const s of pair) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
