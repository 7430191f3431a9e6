/**
 * Counting GraphQL operations, the same way over HTTP (src/server/operation-metrics.ts, an
 * Apollo plugin) and over the websocket (src/server/ws/meter-operations.ts): by root field and
 * outcome, with their duration. The label comes from the resolved operation and the schema
 * (src/server/operation-label.ts), never from the operationName a client sends; the outcome is
 * "OK" or the first error's code, which the metrics close to the edge's set (hardening issue,
 * item 1). One implementation for both transports (issue 17, item 1).
 */
import type { Metrics } from "../metrics.js";
import { UNKNOWN } from "./operation-label.js";

/** The part of the metrics an operation is counted in. */
export type OperationCounter = Pick<Metrics, "operation">;

/** The outcome of a result: "OK", or the first error's code ("ERROR" when it has none). */
export function outcomeOf(errors: ReadonlyArray<{ extensions?: { code?: unknown } | Record<string, unknown> }> | undefined): string {
  if (!errors?.length) return "OK";
  return String(errors[0]?.extensions?.code ?? "ERROR");
}

/** One operation being timed: its label once it is known, its outcome once it is answered. */
export class MeteredOperation {
  private readonly started = performance.now();
  private outcome = "OK";
  private ended = false;

  constructor(
    private readonly counter: OperationCounter,
    /** Stays UNKNOWN when the request fails before an operation is resolved (parse, validation). */
    public label: string = UNKNOWN,
  ) {}

  /** The result (or one of a subscription's results) carried these errors. */
  answered(errors: Parameters<typeof outcomeOf>[0]): void {
    if (errors?.length) this.outcome = outcomeOf(errors);
  }

  /** Counts the operation, once, with the time since it began. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.counter.operation(this.label, this.outcome, (performance.now() - this.started) / 1000);
  }
}

/** An operation refused before anything ran: counted with no duration. */
export function countRefused(counter: OperationCounter, label: string, code: string): void {
  counter.operation(label, code, 0);
}
