/**
 * A real OTLP/HTTP trace receiver for tests: `POST /v1/traces` on a loopback port, decoding
 * what the exporter sends — protobuf (`application/x-protobuf`, the SDK's default protocol),
 * decoded here from the wire format of opentelemetry-proto's ExportTraceServiceRequest, or
 * JSON (`http/json`) — into flat spans with their resource.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

type AttrValue = string | number | boolean | bigint | null | AttrValue[] | { [k: string]: AttrValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, AttrValue>;
  events: Array<{ name: string; attributes: Record<string, AttrValue> }>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, AttrValue> }>;
  status: { code: number; message: string };
  scope: string;
  resource: Record<string, AttrValue>;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

// ---- protobuf wire format -------------------------------------------------------------

interface Field {
  no: number;
  /** Varints as bigint, fixed64/fixed32 as their raw bytes, length-delimited as bytes. */
  value: bigint | Buffer;
}

function fieldsOf(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error("truncated varint");
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, value: varint() });
    else if (wire === 1) out.push({ no, value: buf.subarray(pos, (pos += 8)) });
    else if (wire === 5) out.push({ no, value: buf.subarray(pos, (pos += 4)) });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, value: buf.subarray(pos, (pos += len)) });
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytes = (f: Field) => f.value as Buffer;
const text = (f: Field) => bytes(f).toString("utf8");
const hex = (f: Field) => bytes(f).toString("hex");
const num = (f: Field) => Number(f.value as bigint);

function anyValue(buf: Buffer): AttrValue {
  const f = fieldsOf(buf)[0];
  if (!f) return null;
  switch (f.no) {
    case 1:
      return text(f);
    case 2:
      return (f.value as bigint) !== 0n;
    case 3:
      return BigInt.asIntN(64, f.value as bigint);
    case 4:
      return bytes(f).readDoubleLE(0);
    case 5:
      return fieldsOf(bytes(f)).map((v) => anyValue(bytes(v)));
    case 6:
      return keyValues(fieldsOf(bytes(f)).map(bytes));
    case 7:
      return hex(f);
    default:
      return null;
  }
}

function keyValues(list: Buffer[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list) {
    let key = "";
    let value: AttrValue = null;
    for (const f of fieldsOf(kv)) {
      if (f.no === 1) key = text(f);
      else if (f.no === 2) value = anyValue(bytes(f));
    }
    out[key] = value;
  }
  return out;
}

function protoSpan(buf: Buffer, scope: string, resource: Record<string, AttrValue>): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: "" },
    scope,
    resource,
  };
  const attrs: Buffer[] = [];
  for (const f of fieldsOf(buf)) {
    if (f.no === 1) span.traceId = hex(f);
    else if (f.no === 2) span.spanId = hex(f);
    else if (f.no === 4) span.parentSpanId = hex(f);
    else if (f.no === 5) span.name = text(f);
    else if (f.no === 6) span.kind = num(f);
    else if (f.no === 9) attrs.push(bytes(f));
    else if (f.no === 11) {
      const ev = fieldsOf(bytes(f));
      span.events.push({
        name: text(ev.find((e) => e.no === 2) ?? { no: 2, value: Buffer.alloc(0) }),
        attributes: keyValues(ev.filter((e) => e.no === 3).map(bytes)),
      });
    } else if (f.no === 13) {
      const l = fieldsOf(bytes(f));
      span.links.push({
        traceId: hex(l.find((e) => e.no === 1)!),
        spanId: hex(l.find((e) => e.no === 2)!),
        attributes: keyValues(l.filter((e) => e.no === 4).map(bytes)),
      });
    } else if (f.no === 15) {
      for (const s of fieldsOf(bytes(f))) {
        if (s.no === 2) span.status.message = text(s);
        else if (s.no === 3) span.status.code = num(s);
      }
    }
  }
  span.attributes = keyValues(attrs);
  return span;
}

/** ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) → spans. */
function decodeProtobuf(buf: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fieldsOf(buf).filter((f) => f.no === 1)) {
    const parts = fieldsOf(bytes(rs));
    const resourceField = parts.find((p) => p.no === 1);
    const resource = resourceField
      ? keyValues(
          fieldsOf(bytes(resourceField))
            .filter((f) => f.no === 1)
            .map(bytes),
        )
      : {};
    for (const ss of parts.filter((p) => p.no === 2)) {
      const s = fieldsOf(bytes(ss));
      const scopeField = s.find((p) => p.no === 1);
      const scopeName = scopeField ? text(fieldsOf(bytes(scopeField)).find((p) => p.no === 1) ?? { no: 1, value: Buffer.alloc(0) }) : "";
      for (const sp of s.filter((p) => p.no === 2)) spans.push(protoSpan(bytes(sp), scopeName, resource));
    }
  }
  return spans;
}

// ---- JSON (http/json) ------------------------------------------------------------------

type JsonKv = { key: string; value: Record<string, unknown> };

function jsonValue(v: Record<string, unknown> | undefined): AttrValue {
  if (!v) return null;
  if ("stringValue" in v) return v.stringValue as string;
  if ("boolValue" in v) return v.boolValue as boolean;
  if ("intValue" in v) return BigInt(v.intValue as string | number);
  if ("doubleValue" in v) return v.doubleValue as number;
  if ("arrayValue" in v) return ((v.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(jsonValue);
  if ("kvlistValue" in v) return jsonKvs((v.kvlistValue as { values?: JsonKv[] }).values);
  if ("bytesValue" in v) return String(v.bytesValue);
  return null;
}

const jsonKvs = (list: JsonKv[] | undefined): Record<string, AttrValue> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKv[];
  events?: Array<{ name: string; attributes?: JsonKv[] }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: JsonKv[] }>;
  status?: { code?: number; message?: string };
}

function decodeJson(body: string): ReceivedSpan[] {
  const req = JSON.parse(body) as {
    resourceSpans?: Array<{ resource?: { attributes?: JsonKv[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: JsonSpan[] }> }>;
  };
  return (req.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? "",
        name: s.name,
        kind: s.kind,
        attributes: jsonKvs(s.attributes),
        events: (s.events ?? []).map((e) => ({ name: e.name, attributes: jsonKvs(e.attributes) })),
        links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: jsonKvs(l.attributes) })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? "" },
        scope: ss.scope?.name ?? "",
        resource: jsonKvs(rs.resource?.attributes),
      })),
    ),
  );
}

// ---- the receiver ----------------------------------------------------------------------

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans: ReceivedSpan[];
  /** Content types of the export requests received. */
  contentTypes: string[];
  /** Resolves with the spans once `pred` holds for them (rejects after `timeoutMs`). */
  waitFor(pred: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (String(req.headers["content-encoding"] ?? "") === "gzip") body = gunzipSync(body);
      const type = String(req.headers["content-type"] ?? "");
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(type);
      try {
        spans.push(...(type.includes("json") ? decodeJson(body.toString("utf8")) : decodeProtobuf(body)));
      } catch (err) {
        res.writeHead(400).end(String(err));
        return;
      }
      // An empty ExportTraceServiceResponse: full success.
      if (type.includes("json")) res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    waitFor(pred, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(spans)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(spans);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`spans not received within ${timeoutMs} ms; got: ${spans.map((s) => s.name).join(", ")}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every string a span carries (name, attribute values, event and link attributes, status, resource), for secret searches. */
export function stringsOf(span: ReceivedSpan): string[] {
  const out: string[] = [span.name, span.status.message];
  const walk = (v: AttrValue) => {
    if (v === null) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
    } else out.push(String(v));
  };
  walk(span.attributes);
  for (const e of span.events) {
    out.push(e.name);
    walk(e.attributes);
  }
  for (const l of span.links) walk(l.attributes);
  walk(span.resource);
  return out;
}
