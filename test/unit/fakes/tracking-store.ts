/**
 * In-memory fakes of the tracking engine's seams (src/tracking/ports.ts): the tracked
 * records and the event log, with the same contract as the SQL store — a transition is a
 * compare-and-set on the status plus an event, a lease is exclusive until it expires, and
 * the log hands out ids at append but makes events visible at commit, so a test can commit
 * out of id order. Time is the fake's own (`now`), moved by the test.
 */
import type { SupplierName } from "../../../src/vocabulary/suppliers.js";
import {
  refKey,
  type EventFilter,
  type NewRecord,
  type RecordKey,
  type FailedCheck,
  type Release,
  type TrackedEvent,
  type TrackedRecord,
  type Transition,
} from "../../../src/store/tracked-model.js";
import { type KindName } from "../../../src/vocabulary/kinds.js";
import type { LogReader, RecordStore } from "../../../src/tracking/ports.js";

const keyString = (k: RecordKey) => `${k.kind}|${k.tenant}|${k.supplier}|${k.ref}`;
const clone = <T>(v: T): T => structuredClone(v);
const inFilter = (e: TrackedEvent, f: EventFilter) =>
  (f.ref === undefined || e.ref === f.ref) && (f.orderNo === undefined || e.orderNo === f.orderNo);

interface Stored extends TrackedRecord<unknown> {
  leaseOwner: string | null;
  leaseUntil: number;
}

/** An append not yet committed: its id is taken, its event invisible. */
export interface OpenAppend {
  id: string;
  commit(): void;
}

export class FakeLog implements LogReader {
  private nextId = 1;
  /** Committed events, in commit order. */
  readonly committed: TrackedEvent[] = [];
  /** Statements the feed has run, for tests that count reads. */
  reads = 0;
  /** When set, replay() waits for it first (a test holds a replay open). */
  replayGate?: Promise<void>;

  /** Per event id, the ids committed when it was written (the SQL log's `written_in` snapshot). */
  private readonly writtenIn = new Map<string, Set<string>>();

  /** Takes the next id for an event; it becomes visible when committed. */
  begin(event: Omit<TrackedEvent, "id">): OpenAppend {
    const id = String(this.nextId++);
    this.writtenIn.set(id, new Set(this.committed.map((e) => e.id)));
    return { id, commit: () => void this.committed.push({ ...clone(event), id }) };
  }

  /** Appends and commits at once. */
  append(event: Omit<TrackedEvent, "id">): TrackedEvent {
    const a = this.begin(event);
    a.commit();
    return this.committed[this.committed.length - 1];
  }

  async head(): Promise<string> {
    return String(this.committed.length);
  }

  async lastId(tenant: string): Promise<string> {
    return String(this.committed.reduce((max, e) => (e.tenant === tenant ? Math.max(max, Number(e.id)) : max), 0));
  }

  async since<D>(cursor: string, limit: number): Promise<{ events: Array<TrackedEvent<D>>; cursor: string }> {
    this.reads += 1;
    const from = Number(cursor);
    const fresh = this.committed.slice(from, from + limit);
    // Within one read, id order (as the SQL reader), whatever the commit order.
    const events = [...fresh].sort((a, b) => Number(a.id) - Number(b.id)).map((e) => clone(e) as TrackedEvent<D>);
    return { events, cursor: String(from + fresh.length) };
  }

  async replay<D>(
    kind: KindName,
    tenant: string,
    filter: EventFilter,
    afterId: string,
    cursor: string,
    limit: number,
  ): Promise<Array<TrackedEvent<D>>> {
    await this.replayGate;
    return this.committed
      .slice(0, Number(cursor))
      .filter((e) => e.kind === kind && e.tenant === tenant && Number(e.id) > Number(afterId))
      .filter((e) => inFilter(e, filter))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .slice(0, limit)
      .map((e) => ({ ...(clone(e) as TrackedEvent<D>), replayed: true }));
  }

  async stragglers<D>(
    kind: KindName,
    tenant: string,
    filter: EventFilter,
    afterId: string,
    cursor: string,
  ): Promise<Array<TrackedEvent<D>>> {
    const seen = this.writtenIn.get(afterId);
    if (!seen) return [];
    return this.committed
      .slice(0, Number(cursor))
      .filter((e) => e.kind === kind && e.tenant === tenant && Number(e.id) < Number(afterId) && !seen.has(e.id))
      .filter((e) => inFilter(e, filter))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((e) => ({ ...(clone(e) as TrackedEvent<D>), replayed: true }));
  }

  async alreadyDelivered(kind: KindName, tenant: string, filter: EventFilter, afterId: string, cursor: string): Promise<Set<string>> {
    const placed = this.committed.some((e) => e.id === afterId && e.tenant === tenant);
    const seen = placed ? this.writtenIn.get(afterId) : undefined;
    return new Set(
      this.committed
        .slice(Number(cursor))
        .filter((e) => e.kind === kind && e.tenant === tenant && Number(e.id) <= Number(afterId) && inFilter(e, filter))
        .filter((e) => !seen || e.id === afterId || seen.has(e.id))
        .map((e) => e.id),
    );
  }

  async history<D>(key: RecordKey): Promise<Array<TrackedEvent<D>>> {
    return this.committed
      .filter((e) => keyString({ kind: e.kind, tenant: e.tenant, supplier: e.supplier, ref: e.ref }) === keyString(key))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((e) => ({ ...(clone(e) as TrackedEvent<D>), replayed: true }));
  }
}

export class FakeRecords implements RecordStore {
  /** The fake's clock, in ms. */
  now = Date.now();
  readonly rows = new Map<string, Stored>();
  readonly log = new FakeLog();
  /** Statements run, by method (batching shows as fewer statements). */
  readonly statements: Record<string, number> = {};

  private count(method: string): void {
    this.statements[method] = (this.statements[method] ?? 0) + 1;
  }

  private view<D>(s: Stored): TrackedRecord<D> {
    const record: Partial<Stored> = clone(s);
    delete record.leaseOwner;
    delete record.leaseUntil;
    return record as TrackedRecord<D>;
  }

  private event(s: Stored, previous: string | null, source: TrackedEvent["source"], message: string | null): TrackedEvent {
    return this.log.append({
      kind: s.kind,
      tenant: s.tenant,
      supplier: s.supplier,
      ref: s.ref,
      orderNo: s.orderNo,
      status: s.status,
      previousStatus: previous,
      isFinal: s.isFinal,
      source,
      message,
      data: clone(s.data),
      occurredAt: new Date(this.now),
      startedAt: s.startedAt,
      notBefore: s.notBefore,
    });
  }

  private nextCheck(s: Stored, inMs: number): Date {
    return new Date(Math.max(this.now + inMs, s.notBefore?.getTime() ?? -Infinity));
  }

  async insert<D>(n: NewRecord<D>): Promise<{ record: TrackedRecord<D>; event: TrackedEvent<D> | null } | null> {
    this.count("insert");
    const k = keyString(n.key);
    const existing = this.rows.get(k);
    if (existing) return { record: this.view<D>(existing), event: null };
    if (
      n.key.kind === "void" &&
      [...this.rows.values()].some((r) => r.kind === "void" && r.supplier === n.key.supplier && r.ref === n.key.ref)
    )
      return null;
    const s: Stored = {
      ...n.key,
      orderNo: n.orderNo,
      status: n.status,
      isFinal: n.isFinal,
      data: clone(n.data),
      startedAt:
        n.started instanceof Date
          ? n.started
          : n.started
            ? new Date(this.now - (typeof n.started === "object" ? n.started.msAgo : 0))
            : null,
      updatedAt: new Date(this.now),
      finalAt: n.isFinal ? new Date(this.now) : null,
      notBefore: n.notBeforeInMs === undefined ? null : new Date(this.now + n.notBeforeInMs),
      nextCheckAt: null,
      checkAttempt: 0,
      watchedUntil: null,
      lastCheckedAt: null,
      checkFailure: null,
      leaseOwner: null,
      leaseUntil: 0,
    };
    s.nextCheckAt = n.isFinal ? null : this.nextCheck(s, n.firstCheckInMs);
    this.rows.set(k, s);
    return { record: this.view<D>(s), event: this.event(s, null, n.source, n.message) as TrackedEvent<D> };
  }

  async get<D>(key: RecordKey): Promise<TrackedRecord<D> | null> {
    this.count("get");
    const s = this.rows.get(keyString(key));
    return s ? this.view<D>(s) : null;
  }

  async byOrder<D>(kind: KindName, tenant: string, orderNo: string): Promise<Array<TrackedRecord<D>>> {
    this.count("byOrder");
    return [...this.rows.values()]
      .filter((r) => r.kind === kind && r.tenant === tenant && r.orderNo === orderNo)
      .map((r) => this.view<D>(r));
  }

  async byRefs<D>(kind: KindName, refs: Array<{ supplier: SupplierName; ref: string }>): Promise<Map<string, Array<TrackedRecord<D>>>> {
    this.count("byRefs");
    const wanted = new Set(refs.map((r) => refKey(r.supplier, r.ref)));
    const out = new Map<string, Array<TrackedRecord<D>>>();
    for (const r of this.rows.values()) {
      const k = refKey(r.supplier, r.ref);
      if (r.kind !== kind || !wanted.has(k)) continue;
      out.set(k, [...(out.get(k) ?? []), this.view<D>(r)]);
    }
    return out;
  }

  async transitionMany<D>(items: Array<Transition<D>>): Promise<Array<{ record: TrackedRecord<D>; event: TrackedEvent<D> } | null>> {
    if (!items.length) return [];
    this.count("transitionMany");
    return items.map((t) => {
      const s = this.rows.get(keyString(t.key));
      if (!s || s.status !== t.from) return null;
      Object.assign(s, {
        status: t.status,
        isFinal: t.isFinal,
        data: clone(t.data),
        updatedAt: new Date(this.now),
        finalAt: t.isFinal ? new Date(this.now) : null,
        checkAttempt: 0,
        leaseOwner: null,
        leaseUntil: 0,
        ...this.answered(),
      });
      s.nextCheckAt = t.isFinal ? null : this.nextCheck(s, t.nextCheckInMs);
      return { record: this.view<D>(s), event: this.event(s, t.from, t.source, t.message) as TrackedEvent<D> };
    });
  }

  async touchMany<D>(
    items: Array<{ key: RecordKey; status: string; data: D; nextCheckInMs?: number; seenUpdatedAt?: Date }>,
  ): Promise<Array<TrackedRecord<D> | null>> {
    if (!items.length) return [];
    this.count("touchMany");
    return items.map((i) => {
      const s = this.rows.get(keyString(i.key));
      if (!s || s.status !== i.status) return null;
      if (i.seenUpdatedAt && s.updatedAt.getTime() > i.seenUpdatedAt.getTime()) return null;
      Object.assign(s, { data: clone(i.data), updatedAt: new Date(this.now), ...this.answered() });
      if (i.nextCheckInMs !== undefined) {
        s.checkAttempt = 0;
        if (!s.isFinal)
          s.nextCheckAt = new Date(Math.min(s.nextCheckAt?.getTime() ?? Infinity, this.nextCheck(s, i.nextCheckInMs).getTime()));
      }
      return this.view<D>(s);
    });
  }

  async leaseDue<D>(kind: KindName, owner: string, limit: number, leaseMs: number): Promise<Array<TrackedRecord<D>>> {
    this.count("leaseDue");
    const due = [...this.rows.values()]
      .filter(
        (r) => r.kind === kind && !r.isFinal && r.nextCheckAt !== null && r.nextCheckAt.getTime() <= this.now && r.leaseUntil < this.now,
      )
      .sort((a, b) => a.nextCheckAt!.getTime() - b.nextCheckAt!.getTime())
      .slice(0, limit);
    for (const r of due) Object.assign(r, { leaseOwner: owner, leaseUntil: this.now + leaseMs });
    return due.map((r) => this.view<D>(r));
  }

  async releaseMany(owner: string, items: Release[]): Promise<void> {
    if (!items.length) return;
    this.count("releaseMany");
    for (const i of items) {
      const s = this.rows.get(keyString(i.key));
      if (!s || s.leaseOwner !== owner || s.isFinal) continue;
      const restarted = i.restartInMs !== undefined && s.checkAttempt < i.attempt - 1;
      Object.assign(s, {
        nextCheckAt: this.nextCheck(s, restarted ? i.restartInMs! : i.nextCheckInMs),
        checkAttempt: restarted ? 0 : i.attempt,
        leaseOwner: null,
        leaseUntil: 0,
        lastCheckedAt: new Date(this.now),
        // An answer recorded since the lease is newer than this check's failure.
        checkFailure:
          i.leasedUpdatedAt && s.updatedAt > i.leasedUpdatedAt
            ? s.checkFailure
            : i.failure
              ? { ...i.failure, since: s.checkFailure?.since ?? new Date(this.now) }
              : null,
      });
    }
  }

  /** The supplier answered about a record now (as the store's ANSWERED). */
  private answered(): Pick<Stored, "lastCheckedAt" | "checkFailure"> {
    return { lastCheckedAt: new Date(this.now), checkFailure: null };
  }

  async resent<D>(key: RecordKey, status: string, data: D, notBeforeInMs: number): Promise<TrackedRecord<D> | null> {
    const s = this.rows.get(keyString(key));
    if (!s || s.isFinal || s.status !== status) return null;
    const at = new Date(this.now + notBeforeInMs);
    Object.assign(s, {
      data: clone(data),
      notBefore: at,
      nextCheckAt: at,
      checkAttempt: 0,
      checkFailure: null,
      updatedAt: new Date(this.now),
    });
    return this.view<D>(s);
  }

  async noteFailures(items: FailedCheck[]): Promise<void> {
    this.count("noteFailures");
    for (const i of items) {
      const s = this.rows.get(keyString(i.key));
      if (!s || s.isFinal || s.updatedAt > i.seenUpdatedAt) continue;
      Object.assign(s, {
        lastCheckedAt: i.notSent ? s.lastCheckedAt : new Date(this.now),
        checkFailure: { ...i.failure, since: s.checkFailure?.since ?? new Date(this.now) },
      });
    }
  }

  async soon(keys: RecordKey[]): Promise<void> {
    for (const k of keys) {
      const s = this.rows.get(keyString(k));
      if (s && !s.isFinal) s.nextCheckAt = new Date(Math.min(s.nextCheckAt?.getTime() ?? Infinity, this.now));
    }
  }

  async releaseAll(owner: string): Promise<void> {
    for (const s of this.rows.values()) if (s.leaseOwner === owner) Object.assign(s, { leaseOwner: null, leaseUntil: 0 });
  }

  async watch(kind: KindName, tenant: string, refs: string[], orderNos: string[], forMs: number, withinMs: number): Promise<void> {
    this.count("watch");
    for (const s of this.rows.values()) {
      if (s.kind !== kind || s.tenant !== tenant || s.isFinal || !(refs.includes(s.ref) || orderNos.includes(s.orderNo))) continue;
      s.watchedUntil = new Date(this.now + forMs);
      const within = this.nextCheck(s, withinMs).getTime();
      s.nextCheckAt = new Date(Math.min(s.nextCheckAt?.getTime() ?? Infinity, within));
    }
  }
}
