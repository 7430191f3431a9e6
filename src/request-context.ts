/**
 * The request id of the HTTP request or websocket operation being served, carried through
 * async calls (AsyncLocalStorage) so that supplier-call log lines name the request that caused
 * them without threading it through every datasource signature.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage<{ requestId: string }>();

/** Binds the rest of the current async flow to a request id. */
export function enterRequest(requestId: string): void {
  storage.enterWith({ requestId });
}

/** The current request id, or undefined outside a request (pollers, webhook processing). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
