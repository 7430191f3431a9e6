/** The bundle's stand-in for @apollo/utils.createhash (scripts/lib/createhash.mjs) hashes as Node's createHash does. */
import { createHash as nodeCreateHash } from "node:crypto";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs build script, without types
import { createHash } from "../../scripts/lib/createhash.mjs";

type Hash = { update(data: string | Buffer, encoding?: string): Hash; digest(encoding?: string): string | Buffer };
const ours = createHash as (algorithm: string) => Hash;

describe("the bundle's createHash", () => {
  const query = 'mutation { voidQuote(input: { supplier: ATRIP, orderNo: "ATR-VOID-DEPOSIT" }) { voidOfferId } } é';

  it("one string and one digest, as Apollo hashes a query: Node's result in every output encoding", () => {
    for (const algorithm of ["sha256", "sha512", "md5"])
      for (const encoding of ["hex", "base64", undefined]) {
        const expected = nodeCreateHash(algorithm)
          .update(query)
          .digest(encoding as "hex");
        expect(ours(algorithm).update(query).digest(encoding)).toEqual(expected);
        expect(ours(algorithm).update(query, "utf8").digest(encoding)).toEqual(expected);
      }
  });

  it("several updates, buffers, other input encodings and no update at all: Node's result", () => {
    const node = () => nodeCreateHash("sha256");
    expect(ours("sha256").update("a").update(Buffer.from("b")).update("c").digest("hex")).toBe(
      node().update("a").update(Buffer.from("b")).update("c").digest("hex"),
    );
    expect(ours("sha256").update(Buffer.from(query)).digest("hex")).toBe(node().update(query).digest("hex"));
    expect(ours("sha256").update("616263", "hex").digest("hex")).toBe(node().update("abc").digest("hex"));
    expect(ours("sha256").update("\u00e9", "latin1").digest("hex")).toBe(node().update("\u00e9", "latin1").digest("hex"));
    expect(ours("sha256").digest("hex")).toBe(node().digest("hex"));
  });
});
