/**
 * Trusted documents (issue: ecosystem, item 2): the operation manifests of the app releases
 * still in use, in Apollo's persisted query manifest format as
 * `@apollo/generate-persisted-query-manifest` writes it:
 *
 *   { "format": "apollo-persisted-query-manifest", "version": 1,
 *     "operations": [{ "id": "<sha256 of body>", "name": "Quote", "type": "mutation", "body": "mutation Quote…" }] }
 *
 * One file per app version; their operations are pooled. Every id is checked against the
 * SHA-256 of its body at load, so a hand-edited manifest cannot make an id run another text.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { sha256Hex } from "../auth/api-keys.js";

/** One operation of a manifest. */
export interface TrustedDocument {
  id: string;
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
  /** The manifest file it was loaded from, for messages (absent when built in code). */
  source?: string;
}

const manifestSchema = z.object({
  format: z.literal("apollo-persisted-query-manifest", { message: 'format must be "apollo-persisted-query-manifest"' }),
  version: z.literal(1, { message: "version must be 1" }),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, "an operation id must be 64 lower-case hex digits (SHA-256)"),
      name: z.string(),
      type: z.enum(["query", "mutation", "subscription"]),
      body: z.string().min(1),
    }),
  ),
});

/** A manifest that cannot be used; the message names the file and the problem. */
export class ManifestError extends Error {}

/** The operations of every loaded manifest, by id. */
export class TrustedDocuments {
  private readonly byId = new Map<string, TrustedDocument>();

  constructor(documents: Iterable<TrustedDocument> = []) {
    for (const d of documents) this.byId.set(d.id, d);
  }

  /** The document with this id (the SHA-256 of its body), or undefined. */
  get(id: string): TrustedDocument | undefined {
    return this.byId.get(id);
  }

  /** Every operation held, once each. */
  all(): IterableIterator<TrustedDocument> {
    return this.byId.values();
  }

  /** How many distinct operations the manifests hold. */
  get size(): number {
    return this.byId.size;
  }

  /** Parses one manifest's JSON text; `source` names it in errors. */
  static parse(json: string, source: string): TrustedDocument[] {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new ManifestError(`${source}: not valid JSON`);
    }
    const r = manifestSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new ManifestError(`${source}: ${issue?.path.join(".") || "manifest"}: ${issue?.message ?? "invalid"}`);
    }
    for (const op of r.data.operations) {
      if (sha256Hex(op.body) !== op.id)
        throw new ManifestError(`${source}: operation ${op.name} (${op.id}): the id is not the SHA-256 of its body`);
    }
    return r.data.operations.map((op) => ({ ...op, source }));
  }

  /** Loads and pools the manifests at these paths. */
  static load(paths: readonly string[]): TrustedDocuments {
    const all: TrustedDocument[] = [];
    for (const path of paths) {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        throw new ManifestError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
      all.push(...TrustedDocuments.parse(text, path));
    }
    return new TrustedDocuments(all);
  }
}
