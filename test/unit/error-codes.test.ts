/**
 * One closed set of error codes (issue 17, item 3): every code the edge can emit is in
 * ERROR_CODES and in the error table of docs/errors.md, and a store outage is recognised by the driver's
 * error type and SQLSTATE, not by reading messages.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/vocabulary/errors.js";
import { isErrorCode, REQUEST_ERROR_CODES } from "../../src/vocabulary/errors.js";
import { StoreUnavailableError } from "../../src/store/errors.js";
import { pgConnectionFailure, rethrowPg } from "../../src/store/postgres-errors.js";

/** The codes in the first column of the table under "## Codes" in docs/errors.md. */
function documentedErrorCodes(): string[] {
  const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const section = doc.split("\n## Codes\n")[1]?.split("\n## ")[0] ?? "";
  const rows = section.split("\n").filter((l) => l.startsWith("| `"));
  return rows.flatMap((row) => [...(row.split("|")[1] ?? "").matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
}

describe("the closed set of error codes", () => {
  it("the error table of docs/errors.md lists exactly the codes of ERROR_CODES, each once", () => {
    const documented = documentedErrorCodes();
    expect(documented.length).toBeGreaterThan(30);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it("the codes a GraphQL server's own errors keep are of the set", () => {
    for (const code of REQUEST_ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode("PERSISTED_QUERY_NOT_SUPPORTED")).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});

describe("store outages by type and code", () => {
  const serverError = (code: string) => Object.assign(new pg.DatabaseError("server said so", 0, "error"), { code });

  it("PostgreSQL going away (SQLSTATE class 08, 57P01–57P03) or too slow (57014, past the gateway's statement_timeout) is an outage; other server errors are not", () => {
    for (const code of ["57P01", "57P02", "57P03", "08006", "08001", "57014"]) expect(pgConnectionFailure(serverError(code))).toBe(true);
    for (const code of ["23505", "40001", "42P01", "57P04"]) expect(pgConnectionFailure(serverError(code))).toBe(false);
  });

  it("the driver's connection failures are outages, with or without a socket code; a caller's bug is not", () => {
    expect(pgConnectionFailure(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(pgConnectionFailure(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(pgConnectionFailure(new Error("anything pg says without a code"))).toBe(true);
    expect(pgConnectionFailure(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(pgConnectionFailure(Object.assign(new Error("x"), { code: "ERR_INVALID_ARG_TYPE" }))).toBe(false);
    expect(pgConnectionFailure("a string")).toBe(false);
  });

  it("rethrowPg wraps an outage, keeping its cause, and passes anything else through", () => {
    const lost = new Error("Connection terminated unexpectedly");
    expect(() => rethrowPg(lost)).toThrow(StoreUnavailableError);
    try {
      rethrowPg(lost);
    } catch (err) {
      expect((err as Error).cause).toBe(lost);
    }
    const unique = serverError("23505");
    expect(() => rethrowPg(unique)).toThrow(unique);
  });
});
