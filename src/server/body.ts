/**
 * Reading a request body on node:http, as body-parser did on express: at most `limit` bytes
 * after inflating (a declared Content-Length over it is refused before reading), gzip,
 * deflate and br bodies inflated, any other Content-Encoding refused. Failures are described
 * as body-parser's error types (./request-errors.ts). Used by /graphql and the webhook intake.
 */
import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import { RequestFailure } from "./request-errors.js";

const INFLATE: Record<string, (b: Buffer, o: zlib.ZlibOptions) => Buffer> = {
  gzip: zlib.gunzipSync,
  deflate: zlib.inflateSync,
  br: zlib.brotliDecompressSync,
};

/** True for a JSON object (a parsed body, its `variables` or `extensions`): not null, an array or a Buffer. */
export function isJsonObject(o: unknown): o is Record<string, unknown> {
  return !!o && typeof o === "object" && !Array.isArray(o) && !Buffer.isBuffer(o);
}

/** Reads the whole body, at most `limit` bytes (after inflating), or says why not. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | RequestFailure> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) {
    req.resume();
    return Promise.resolve(new RequestFailure(413, "entity.too.large", limit));
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on("aborted", () => resolve(new RequestFailure(400, "request.aborted")));
    req.on("error", () => resolve(new RequestFailure(400, "request.aborted")));
    req.on("end", () => {
      if (over) return resolve(new RequestFailure(413, "entity.too.large", limit));
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const encoding = String(req.headers["content-encoding"] ?? "identity").toLowerCase();
      if (encoding === "identity") return resolve(body);
      const inflate = INFLATE[encoding];
      if (!inflate) return resolve(new RequestFailure(415, "encoding.unsupported"));
      try {
        resolve(inflate(body, { maxOutputLength: limit }));
      } catch (err) {
        resolve(
          (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
            ? new RequestFailure(413, "entity.too.large", limit)
            : new RequestFailure(400, "entity.parse.failed"),
        );
      }
    });
  });
}
