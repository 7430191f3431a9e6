/**
 * Operations over the websocket count like HTTP ones (src/server/operation-meter.ts): by root
 * field and outcome, a subscription over its whole life; a refused one with no duration.
 */
import { countRefused, MeteredOperation, type OperationCounter } from "../operation-meter.js";
import type { WsContext, WsPlugin } from "./plugin.js";

/** The metrics as a plugin: a metered operation per id, from `onOperation` to `onComplete`. */
export function meterOperations(counter: OperationCounter): WsPlugin {
  const running = new WeakMap<WsContext["extra"], Map<string, MeteredOperation>>();
  const of = (ctx: WsContext, id: string) => running.get(ctx.extra)?.get(id);
  return {
    onOperation(ctx, id, op) {
      let ops = running.get(ctx.extra);
      if (!ops) running.set(ctx.extra, (ops = new Map()));
      ops.set(id, new MeteredOperation(counter, op.label));
      return undefined;
    },
    onRefused(ctx, id, label, code) {
      // Refused by a plugin after this one began timing it: counted as refused, not as run.
      running.get(ctx.extra)?.delete(id);
      countRefused(counter, label, code);
    },
    onErrors(ctx, id, errors) {
      of(ctx, id)?.answered(errors);
    },
    onComplete(ctx, id) {
      of(ctx, id)?.end();
      running.get(ctx.extra)?.delete(id);
    },
  };
}
