/**
 * Fan-out without repeated work: when one event reaches many subscribers of the same
 * operation (same document and variables, hence the same tenant topic), the selection set is
 * executed once and the result shared. graphql-ws still serialises and sends it per socket.
 * Events are the very payload object the pub/sub hands to every listener, so a WeakMap keyed
 * by it holds the shared results exactly as long as the event is in flight.
 */
import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from "graphql";

const shared = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
/** The id of the source event each result was executed for, where the event has one (an SSE stream's `id:` line). */
const sourceIds = new WeakMap<ExecutionResult, string>();

/** The id of the event a subscription result was executed for (a string `id` of its root value), if any. */
export function sourceEventId(result: ExecutionResult): string | undefined {
  return sourceIds.get(result);
}

/**
 * Maps a source stream through `fn`. Written as a plain iterator, not an async generator: a
 * generator's `return()` waits behind a pending `next()` (it only runs at a `yield`), so a
 * subscriber who left would hold its listener, watch marks and counts until an event
 * happened to arrive (issue 11). Here `return()` ends the source at once, which also ends
 * the pending `next()`.
 */
function mapEvents<T, R>(source: AsyncIterator<T>, fn: (t: T) => Promise<R>): AsyncIterableIterator<R> {
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    await source.return?.();
  };
  return {
    async next(): Promise<IteratorResult<R>> {
      if (done) return { value: undefined, done: true };
      const r = await source.next();
      if (r.done || done) return { value: undefined, done: true };
      return { value: await fn(r.value), done: false };
    },
    async return(): Promise<IteratorResult<R>> {
      await finish();
      return { value: undefined, done: true };
    },
    async throw(err: unknown): Promise<IteratorResult<R>> {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A `subscribe` for graphql-ws that executes each event once per distinct operation. */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  // The document's own text where it has one (it is kept anyway): print() would build a
  // string of dozens of pieces that every subscription kept until its first event.
  const text = args.document.loc?.source.body ?? print(args.document);
  const key = `${text}\u0000${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}`;
  return mapEvents(stream as unknown as AsyncIterator<unknown>, (event) => {
    if (event === null || typeof event !== "object")
      return Promise.resolve(execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>);
    let byOperation = shared.get(event);
    if (!byOperation) shared.set(event, (byOperation = new Map()));
    let result = byOperation.get(key);
    if (!result) {
      const id = (event as { id?: unknown }).id;
      result = Promise.resolve(execute({ ...args, rootValue: event }));
      if (typeof id === "string") result = result.then((r) => (sourceIds.set(r, id), r));
      byOperation.set(key, result);
    }
    return result;
  });
}
