/**
 * The websocket's concerns as plugins, after Hive Gateway's `use*` plugins: each concern
 * (authentication, token expiry, the subscription cap, metrics) is one module that hooks into
 * the life of a socket and its operations, and `websocketOptions` (./options.ts) runs the list
 * it is given, in order. The hooks mirror graphql-ws's own (`onConnect`, `onSubscribe`,
 * `onNext`, `onComplete`, `onClose`), after the gateway has parsed and validated the
 * operation, so a plugin sees a resolved operation, never a raw payload.
 */
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import type { Context } from "graphql-ws";
import type { Principal } from "../../auth/index.js";
import type { PreparedOperation } from "../prepare-operation.js";

/** What a plugin may do to the socket: close it (graphql-ws/use/ws puts the `ws` socket here). */
interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** The extra of a socket's graphql-ws context: the socket, and who opened it once authenticated. */
export interface WsExtra {
  readonly socket: ClosableSocket;
  /** Set by the authentication plugin at connection_init; null or absent before. */
  principal?: Principal | null;
}

/** graphql-ws's context of one socket, with the gateway's extra. */
export type WsContext = Context<Record<string, unknown>, WsExtra>;

/** A websocket concern: any of these hooks, each optional. A plugin keeps its per-socket state keyed by `ctx.extra`. */
export interface WsPlugin {
  /** A socket sent connection_init. False refuses it: graphql-ws closes it with 4403. */
  onConnect?(ctx: WsContext): boolean | Promise<boolean>;
  /** The socket closed (its operations have completed). */
  onClose?(ctx: WsContext): void;
  /** An operation is about to run; errors refuse it (the client gets an `error` message). */
  onOperation?(ctx: WsContext, id: string, op: PreparedOperation): readonly GraphQLError[] | undefined;
  /** An operation was refused before it ran: by the gateway's checks or by a plugin. */
  onRefused?(ctx: WsContext, id: string, label: string, code: string): void;
  /** A result of the operation carried these errors (already formatted for the client). */
  onErrors?(ctx: WsContext, id: string, errors: readonly GraphQLFormattedError[]): void;
  /** The operation ended: its result was sent, or its subscription completed. */
  onComplete?(ctx: WsContext, id: string): void;
}
