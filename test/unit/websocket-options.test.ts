/**
 * The websocket's options and plugins without a port (issue 17, item 1): graphql-ws's
 * `makeServer` drives them through a stand-in socket, as its own tests do. Authentication at
 * connection_init, the token's expiry, validation with the query limits, the subscription cap
 * and the operation metrics, each seen through the protocol's messages. Waits are on
 * deferreds, never on sleeps.
 */
import { GraphQLError, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, makeServer, MessageType } from "graphql-ws";
import { describe, expect, it } from "vitest";
import type { GatewayContext } from "../../resolvers/context.js";
import type { Logger } from "../../src/logger.js";
import { unauthenticated, type Principal } from "../../src/auth/index.js";
import { limitRules } from "../../src/server/limits.js";
import { OperationLabels } from "../../src/server/operation-label.js";
import { websocketOptions } from "../../src/server/ws/options.js";
import type { WsExtra } from "../../src/server/ws/plugin.js";
import { websocketPlugins } from "../../src/server/ws/plugins.js";
import { InFlight } from "../../src/reliability/in-flight.js";
import { deferred } from "./fakes/test-kind.js";

/** Conditions a test waits for, checked whenever the socket or the event source changes. */
class Conditions {
  private waiters: Array<{ when: () => boolean; resolve: () => void }> = [];
  /** Resolves once `when` holds. */
  until(when: () => boolean): Promise<void> {
    if (when()) return Promise.resolve();
    const d = deferred();
    this.waiters.push({ when, resolve: d.resolve });
    return d.promise;
  }
  check(): void {
    this.waiters = this.waiters.filter((w) => (w.when() ? (w.resolve(), false) : true));
  }
}

/**
 * Events a test pushes to every `ticks` subscriber. Like the gateway's own streams, ending one
 * (`return()`) also ends its pending `next()` (src/server/shared-execution.ts relies on it).
 */
class Ticks {
  private readonly pending = new Set<(v: IteratorResult<{ ticks: number }>) => void>();
  listeners = 0;
  constructor(private readonly changed: Conditions) {}
  push(n: number): void {
    const waiting = [...this.pending];
    this.pending.clear();
    for (const w of waiting) w({ value: { ticks: n }, done: false });
  }
  stream(): AsyncIterableIterator<{ ticks: number }> {
    this.listeners += 1;
    this.changed.check();
    const { pending, changed } = this;
    const ended = () => {
      this.listeners -= 1;
      changed.check();
    };
    let mine: ((v: IteratorResult<{ ticks: number }>) => void) | undefined;
    return {
      next: () =>
        new Promise((resolve) => {
          mine = resolve;
          pending.add(resolve);
        }),
      async return() {
        if (mine) {
          pending.delete(mine);
          mine({ value: undefined, done: true });
        }
        ended();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function testSchema(ticks: Ticks): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: {
        hello: { type: GraphQLString, resolve: (_r, _a, ctx: GatewayContext) => `hello ${ctx.tenant}` },
        boom: {
          type: GraphQLString,
          resolve: () => {
            throw new GraphQLError("no", { extensions: { code: "SUPPLIER_TIMEOUT" } });
          },
        },
      },
    }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: { ticks: { type: GraphQLInt, subscribe: () => ticks.stream() } },
    }),
  });
}

const ACME: Principal = { tenant: "acme", scopes: new Set(), via: "api-key" };

/** The socket graphql-ws talks to: what it sent, how it was closed, and waits on both. */
class StandInSocket {
  readonly protocol = GRAPHQL_TRANSPORT_WS_PROTOCOL;
  readonly sent: Array<{ type: string; id?: string; payload?: unknown }> = [];
  closed?: { code: number; reason: string };
  private handler?: (data: string) => Promise<void>;

  constructor(private readonly changed: Conditions) {}

  async send(data: string): Promise<void> {
    this.sent.push(JSON.parse(data));
    this.changed.check();
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
    this.changed.check();
  }
  onMessage(cb: (data: string) => Promise<void>): void {
    this.handler = cb;
  }
  /** Delivers a client message; for a subscription, resolves only when it ends (graphql-ws awaits it). */
  receive(message: object): Promise<void> {
    return this.handler!(JSON.stringify(message));
  }
  /** Resolves once `when` holds. */
  until(when: () => boolean): Promise<void> {
    return this.changed.until(when);
  }
  messages(id: string) {
    return this.sent.filter((m) => m.id === id);
  }
}

function setup(opts: { maxSubscriptions?: number; principals?: Record<string, Principal> } = {}) {
  const changed = new Conditions();
  const ticks = new Ticks(changed);
  const schema = testSchema(ticks);
  const counted: Array<[string, string]> = [];
  const gauge = { open: 0 };
  const logged: object[] = [];
  const metrics = {
    operation: (label: string, outcome: string) => void counted.push([label, outcome]),
    socketOpened: () => void (gauge.open += 1),
    socketClosed: () => void (gauge.open -= 1),
  };
  const principals = opts.principals ?? { "Bearer good": ACME };
  const authenticator = {
    async authenticate(authorization: unknown) {
      const p = principals[String(authorization)];
      if (!p) throw unauthenticated("the credential is not valid");
      return p;
    },
  };
  const server = makeServer<Record<string, unknown>, WsExtra>(
    websocketOptions({
      schema,
      rules: limitRules({ maxDepth: 3, maxAliases: 2, maxCost: 1000, maxTokens: 1000 }),
      formatError: (formatted) => ({
        message: formatted.message,
        extensions: { code: formatted.extensions?.code ?? "INTERNAL_SERVER_ERROR" },
      }),
      labels: new OperationLabels(schema),
      contextFor: (principal, requestId) => ({
        principal,
        tenant: principal?.tenant ?? "",
        requestId,
        services: {} as GatewayContext["services"],
        loaders: {} as GatewayContext["loaders"],
      }),
      plugins: websocketPlugins({
        authenticator,
        metrics,
        maxSubscriptions: opts.maxSubscriptions ?? 2,
        log: {
          info: ((o: object, m: string) => void logged.push({ ...o, m })) as Logger["info"],
          error: (() => undefined) as Logger["error"],
        },
        inFlight: new InFlight(),
      }),
    }),
  );
  /** Opens a socket; `init` sends connection_init with this authorization. */
  const open = async (authorization?: string) => {
    const socket = new StandInSocket(changed);
    const closed = server.opened(socket, { socket });
    if (authorization !== undefined) await socket.receive({ type: MessageType.ConnectionInit, payload: { authorization } });
    return { socket, closed };
  };
  return { ticks, counted, gauge, open, logged };
}

describe("websocket options and plugins, without a port", () => {
  it("authenticates at connection_init: a bad credential closes with 4403 and counts no socket; a good one is acked and counted until it closes", async () => {
    const { open, gauge, logged } = setup();
    const bad = await open("Bearer nope");
    expect(bad.socket.closed).toEqual({ code: CloseCode.Forbidden, reason: "Forbidden" });
    await bad.closed(CloseCode.Forbidden, "Forbidden");
    expect(gauge.open).toBe(0);
    // Logged with why, never with the credential.
    expect(logged).toEqual([
      { code: "UNAUTHENTICATED", reason: "Not authenticated: the credential is not valid", m: "websocket refused at connection_init" },
    ]);
    expect(JSON.stringify(logged)).not.toContain("nope");

    const good = await open("Bearer good");
    expect(good.socket.sent).toEqual([{ type: MessageType.ConnectionAck }]);
    expect(gauge.open).toBe(1);
    await good.closed(1000, "bye");
    expect(gauge.open).toBe(0);
  });

  it("runs operations with the principal's context and counts them by root field and outcome", async () => {
    const { open, counted } = setup();
    const { socket } = await open("Bearer good");
    await socket.receive({ id: "1", type: MessageType.Subscribe, payload: { query: "{ hello }" } });
    expect(socket.messages("1")).toEqual([
      { id: "1", type: MessageType.Next, payload: { data: { hello: "hello acme" } } },
      { id: "1", type: MessageType.Complete },
    ]);
    await socket.receive({ id: "2", type: MessageType.Subscribe, payload: { query: "{ boom }" } });
    expect(socket.messages("2")[0]!.payload).toMatchObject({ errors: [{ message: "no", extensions: { code: "SUPPLIER_TIMEOUT" } }] });
    expect(counted).toEqual([
      ["hello", "OK"],
      ["boom", "SUPPLIER_TIMEOUT"],
    ]);
  });

  it("parses and validates before anything runs, with the query limits; refusals are counted with no label", async () => {
    const { open, counted } = setup();
    const { socket } = await open("Bearer good");
    await socket.receive({ id: "p", type: MessageType.Subscribe, payload: { query: "{ hello" } });
    await socket.receive({ id: "v", type: MessageType.Subscribe, payload: { query: "{ nope }" } });
    await socket.receive({ id: "a", type: MessageType.Subscribe, payload: { query: "{ a: hello b: hello c: hello }" } });
    for (const id of ["p", "v", "a"]) expect(socket.messages(id).map((m) => m.type)).toEqual([MessageType.Error]);
    expect(JSON.stringify(socket.messages("a")[0]!.payload)).toMatch(/aliases/i);
    expect(counted).toEqual([
      ["unknown", "GRAPHQL_PARSE_FAILED"],
      ["unknown", "GRAPHQL_VALIDATION_FAILED"],
      ["unknown", "GRAPHQL_VALIDATION_FAILED"],
    ]);
  });

  it("a socket that sends subscribe before being acknowledged is closed with 4401 and nothing is parsed", async () => {
    const { open, counted } = setup();
    const { socket } = await open();
    await socket.receive({ id: "1", type: MessageType.Subscribe, payload: { query: "{ hello" } });
    expect(socket.closed?.code).toBe(CloseCode.Unauthorized);
    expect(counted).toEqual([]);
  });

  it("caps subscriptions per socket: one beyond the cap is refused with TOO_MANY_SUBSCRIPTIONS, the others carry on, and a completed one frees its place", async () => {
    const { open, ticks, counted } = setup({ maxSubscriptions: 2 });
    const { socket, closed } = await open("Bearer good");
    const subscribe = (id: string) => socket.receive({ id, type: MessageType.Subscribe, payload: { query: "subscription { ticks }" } });
    const s1 = subscribe("s1");
    const s2 = subscribe("s2");
    await socket.until(() => ticks.listeners === 2);
    await socket.receive({ id: "s3", type: MessageType.Subscribe, payload: { query: "subscription { ticks }" } });
    expect(socket.messages("s3")).toMatchObject([
      { type: MessageType.Error, payload: [{ extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: 2 } }] },
    ]);

    ticks.push(7);
    await socket.until(() => socket.messages("s1").length === 1 && socket.messages("s2").length === 1);
    expect(socket.messages("s2")).toEqual([{ id: "s2", type: MessageType.Next, payload: { data: { ticks: 7 } } }]);

    await socket.receive({ id: "s1", type: MessageType.Complete });
    await s1;
    expect(ticks.listeners).toBe(1);
    const s4 = subscribe("s4");
    await socket.until(() => ticks.listeners === 2);
    expect(counted).toEqual([
      ["ticks", "TOO_MANY_SUBSCRIPTIONS"],
      ["ticks", "OK"],
    ]);

    await closed(1000, "bye");
    await Promise.all([s2, s4]);
    expect(ticks.listeners).toBe(0);
    expect(counted.filter(([l]) => l === "ticks")).toHaveLength(4); // s2 and s4 counted when the socket closed
  });

  it("closes the socket with 4403 when its token expires, and not after it has closed", async () => {
    const first = { ...ACME, via: "jwt" as const, expiresAt: new Date(Date.now() + 20) };
    const second = { ...ACME, via: "jwt" as const, expiresAt: new Date(Date.now() + 40) };
    const { open } = setup({ principals: { "Bearer first": first, "Bearer second": second } });
    const gone = await open("Bearer first");
    const expiring = await open("Bearer second");
    await gone.closed(1000, "bye"); // closed before its token expires: its timer is cancelled
    await expiring.socket.until(() => expiring.socket.closed !== undefined);
    expect(expiring.socket.closed).toEqual({ code: 4403, reason: "Forbidden: the token has expired" });
    // The closed socket's token expired before the other's: had its timer run, it would have closed it.
    expect(gone.socket.closed).toBeUndefined();
  });
});
