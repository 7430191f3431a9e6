/**
 * Fan-out without repeated work: when one event reaches many subscribers of the same
 * operation (same document and variables, hence the same tenant topic), the selection set is
 * executed once and the result shared. graphql-ws still serialises and sends it per socket.
 * Events are the very payload object the pub/sub hands to every listener, so a WeakMap keyed
 * by it holds the shared results exactly as long as the event is in flight.
 */
import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from "graphql";

const shared = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

async function* mapEvents<T, R>(source: AsyncIterable<T> & AsyncIterator<T>, fn: (t: T) => Promise<R>): AsyncGenerator<R> {
  try {
    for await (const event of source) yield await fn(event);
  } finally {
    await source.return?.();
  }
}

/** A `subscribe` for graphql-ws that executes each event once per distinct operation. */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const key = `${print(args.document)}\u0000${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}`;
  return mapEvents(stream as AsyncIterable<unknown> & AsyncIterator<unknown>, (event) => {
    if (event === null || typeof event !== "object") return Promise.resolve(execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>);
    let byOperation = shared.get(event);
    if (!byOperation) shared.set(event, (byOperation = new Map()));
    let result = byOperation.get(key);
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: event }));
      byOperation.set(key, result);
    }
    return result;
  });
}
