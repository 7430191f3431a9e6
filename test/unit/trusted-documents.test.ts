/** Trusted documents: manifest loading and the one decision every transport asks. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { decideDocument } from "../../src/trusted-documents/decide.js";
import { sha256Hex } from "../../src/auth/api-keys.js";
import { ManifestError, TrustedDocuments } from "../../src/trusted-documents/manifest.js";

const QUOTE = "mutation Quote($orderNo: String!) {\n  voidQuote(input: {supplier: ATRIP, orderNo: $orderNo}) {\n    voidOfferId\n  }\n}";
const SUPPLIERS = "query Suppliers {\n  suppliers {\n    supplier\n  }\n}";
const op = (name: string, type: "query" | "mutation", body: string) => ({ id: sha256Hex(body), name, type, body });
const manifest = (ops: unknown[]) => JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: ops });
const docs = new TrustedDocuments([op("Quote", "mutation", QUOTE)]);
const pq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

describe("manifests", () => {
  it("pools several manifests and checks every id against its body", () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    writeFileSync(join(dir, "v1.json"), manifest([op("Quote", "mutation", QUOTE)]));
    writeFileSync(join(dir, "v2.json"), manifest([op("Quote", "mutation", QUOTE), op("Suppliers", "query", SUPPLIERS)]));
    const pooled = TrustedDocuments.load([join(dir, "v1.json"), join(dir, "v2.json")]);
    expect(pooled.size).toBe(2);
    expect(pooled.get(sha256Hex(SUPPLIERS))?.name).toBe("Suppliers");
  });

  it.each([
    ["not json", /not valid JSON/],
    [JSON.stringify({ format: "other", version: 1, operations: [] }), /format/],
    [manifest([{ ...op("Quote", "mutation", QUOTE), body: `${QUOTE} ` }]), /not the SHA-256 of its body/],
    [manifest([{ ...op("Quote", "mutation", QUOTE), id: "abc" }]), /64 lower-case hex/],
  ])("refuses a bad manifest: %s", (text, why) => {
    expect(() => TrustedDocuments.parse(text, "m.json")).toThrow(ManifestError);
    expect(() => TrustedDocuments.parse(text, "m.json")).toThrow(why);
  });

  it("configuration: a bad or missing manifest stops start-up naming TRUSTED_DOCUMENTS", () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: "/nonexistent/manifest.json" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_MODE: "safelist" })).toThrow(/TRUSTED_DOCUMENTS/);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_MODE: "strict" })).toThrow(/TRUSTED_DOCUMENTS_MODE/);
    expect(loadConfig({}).trustedDocuments).toBeUndefined();
  });
});

describe("decideDocument", () => {
  const id = sha256Hex(QUOTE);

  it("off: everything goes on as sent", () => {
    expect(decideDocument({ extensions: pq(id) }, null, docs, "off")).toEqual({ action: "pass" });
    expect(decideDocument({ query: "{ suppliers { supplier } }" }, null, docs, "off")).toEqual({ action: "pass" });
  });

  it("allow: a manifest id runs its document; other documents and APQ hashes go on as sent", () => {
    expect(decideDocument({ extensions: pq(id) }, null, docs, "allow")).toEqual({ action: "use", id, query: QUOTE });
    expect(decideDocument({ query: "{ suppliers { supplier } }" }, null, docs, "allow")).toEqual({ action: "pass" });
    expect(decideDocument({ extensions: pq("0".repeat(64)) }, null, docs, "allow")).toEqual({ action: "pass" });
  });

  it("safelist: manifest documents by id or by identical body; anything else is refused", () => {
    expect(decideDocument({ extensions: pq(id) }, null, docs, "safelist")).toEqual({ action: "use", id, query: QUOTE });
    // The id decides: a different text sent with it is not what runs.
    expect(decideDocument({ query: "{ suppliers { supplier } }", extensions: pq(id) }, null, docs, "safelist")).toEqual({
      action: "use",
      id,
      query: QUOTE,
    });
    expect(decideDocument({ query: QUOTE }, null, docs, "safelist")).toEqual({ action: "use", id, query: QUOTE });
    expect(decideDocument({ query: "{ suppliers { supplier } }" }, null, docs, "safelist")).toMatchObject({ action: "refuse" });
    expect(decideDocument({ query: `${QUOTE} ` }, null, docs, "safelist")).toMatchObject({ action: "refuse" });
    expect(decideDocument({ extensions: pq("0".repeat(64)) }, null, docs, "safelist")).toMatchObject({
      action: "refuse",
      message: expect.stringContaining("0000"),
    });
    // An APQ registration (text + its own hash) of a document outside the list is refused too.
    const other = "{ suppliers { supplier } }";
    expect(decideDocument({ query: other, extensions: pq(sha256Hex(other)) }, null, docs, "safelist")).toMatchObject({ action: "refuse" });
  });

  it("safelist: a documents:any credential sends what it likes", () => {
    const tool = { freeformDocuments: true };
    expect(decideDocument({ query: "{ suppliers { supplier } }" }, tool, docs, "safelist")).toEqual({ action: "pass" });
    expect(decideDocument({ extensions: pq(id) }, tool, docs, "safelist")).toEqual({ action: "use", id, query: QUOTE });
  });
});
