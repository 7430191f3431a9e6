/**
 * A websocket's mutations count as in flight (src/reliability/in-flight.ts) from the moment they
 * are accepted until their answer has been sent, so that a shutdown closes the socket only after
 * it (src/server/app.ts). Counting the resolver alone is not enough: the answer's other fields
 * (a void's `history`, read from the store) are resolved after it returns.
 */
import type { WsContext, WsPlugin } from "./plugin.js";

/** Where the plugin counts the mutations it follows (InFlight's `track`). */
export interface MutationTracker {
  track<T>(work: Promise<T>): Promise<T>;
}

/** The plugin: a mutation is in flight from `onOperation` until it completes, is refused, or its socket closes. */
export function drainMutations(tracker: MutationTracker): WsPlugin {
  /** Each socket's running mutations: how to end each one's count, by operation id. */
  const running = new WeakMap<WsContext["extra"], Map<string, () => void>>();
  const ended = (ctx: WsContext, id: string) => {
    const ids = running.get(ctx.extra);
    ids?.get(id)?.();
    ids?.delete(id);
  };
  return {
    onOperation(ctx, id, op) {
      if (op.operation.operation !== "mutation") return undefined;
      let ids = running.get(ctx.extra);
      if (!ids) running.set(ctx.extra, (ids = new Map()));
      const mine = ids;
      void tracker.track(new Promise<void>((resolve) => mine.set(id, resolve)));
      return undefined;
    },
    onRefused: ended,
    // graphql-ws completes an operation after it has sent its result.
    onComplete: ended,
    onClose(ctx) {
      for (const end of running.get(ctx.extra)?.values() ?? []) end();
      running.delete(ctx.extra);
    },
  };
}
