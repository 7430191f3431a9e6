/**
 * The store reads of one request, batched (issue 24, item 2): every `history` field, every
 * record an `_entities` reference or an Order names, and every order's records are collected
 * while GraphQL resolves one level of the response, then read with one statement each
 * (`getMany`, `historyMany`, `byOrders`), instead of one per parent object. A router listing
 * twenty voids with their history costs two statements, not forty.
 *
 * The loaders batch, they do not cache (`cache: false`): a subscription's context lives as
 * long as the subscription, and a memoised record or history would be stale by its next event.
 * Keys carry their tenant, and the batch reads match whole keys, so a batch that mixes
 * tenants' keys (one request has one tenant; this is a second line) never crosses them.
 */
import DataLoader from "dataloader";
import type { RecordKey, TrackedEvent, TrackedRecord } from "../store/tracked-model.js";
import type { KindName } from "../vocabulary/kinds.js";

/** An order of one tenant, for the records of a kind it has. */
interface OrderKey {
  kind: KindName;
  tenant: string;
  orderNo: string;
}

/** The batch reads the loaders use (the store's tracked records and event log). */
export interface BatchReads {
  getMany(keys: readonly RecordKey[]): Promise<Array<TrackedRecord | null>>;
  historyMany(keys: readonly RecordKey[]): Promise<TrackedEvent[][]>;
  byOrders(kind: KindName, orders: ReadonlyArray<{ tenant: string; orderNo: string }>): Promise<TrackedRecord[][]>;
}

/** One request's loaders. */
export interface StoreLoaders {
  /** A record by key (null where there is none). */
  record: DataLoader<RecordKey, TrackedRecord | null>;
  /** A record's events, oldest first (its `history` field). */
  history: DataLoader<RecordKey, TrackedEvent[]>;
  /** A tenant's records of a kind for one order, oldest first. */
  byOrder: DataLoader<OrderKey, TrackedRecord[]>;
}

const BATCH_ONLY = { cache: false } as const;

/** New loaders for one request (one GraphQL context). */
export function storeLoaders(reads: BatchReads): StoreLoaders {
  return {
    record: new DataLoader((keys) => reads.getMany(keys), BATCH_ONLY),
    history: new DataLoader((keys) => reads.historyMany(keys), BATCH_ONLY),
    byOrder: new DataLoader(async (keys) => {
      // One statement per kind asked for in the batch (in practice one).
      const out: TrackedRecord[][] = new Array<TrackedRecord[]>(keys.length);
      const kinds = new Set(keys.map((k) => k.kind));
      for (const kind of kinds) {
        const at = keys.flatMap((k, i) => (k.kind === kind ? [i] : []));
        const found = await reads.byOrders(
          kind,
          at.map((i) => keys[i]!),
        );
        at.forEach((i, j) => (out[i] = found[j]!));
      }
      return out;
    }, BATCH_ONLY),
  };
}
