/**
 * What stops a start after the configuration was read is one line on stderr and exit code 1
 * (src/run.ts), not a stack trace: here, the port taken, and a trusted document that could never
 * run. (DATA_DIR held by another gateway: ./data-dir-lock.test.ts.)
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/auth/api-keys.js";
import { startFailureText } from "../../src/startup/failure.js";
import { StoreUnavailableError } from "../../src/store/errors.js";
import { startGatewayProcess } from "../helpers/process.js";
import { DATABASE_URL, freshDataDir, skipReason } from "../helpers/store.js";

const noPostgres = DATABASE_URL ? false : skipReason("start-up failure on PostgreSQL", "TEST_DATABASE_URL");

const taken = createServer();
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

/** What a gateway process started with `env` printed as it failed ("started" if it did not fail). */
function startFailure(env: Record<string, string>): Promise<string> {
  return startGatewayProcess(env).then(
    async (gw) => {
      await gw.stop();
      return "started";
    },
    (err: Error) => err.message,
  );
}

describe("start-up failures", () => {
  it("a port in use: 'Start-up failed: listen EADDRINUSE …', exit code 1, no stack trace, the store's lock released", async () => {
    const dataDir = freshDataDir();
    const failure = await startFailure({ PORT: String(port), DATA_DIR: dataDir });
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(new RegExp(`Start-up failed: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\n`));
    expect(failure).not.toMatch(/\n\s+at /);
    expect(failure).not.toMatch(/check your implementation/);
    // The store was open when the port failed: it was closed again, so its lock is not left behind.
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    expect(existsSync(`${dataDir}/PG_VERSION`)).toBe(true);
  });

  it("a manifest operation the gateway could never run (over GRAPHQL_MAX_TOKENS, or not in the schema): the start stops naming the file, the operation and why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifest-"));
    const manifest = (name: string, body: string) => {
      const path = join(dir, `${name}.json`);
      const operations = [{ id: sha256Hex(body), name, type: "query", body }];
      writeFileSync(path, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations }));
      return path;
    };
    const fails = (env: Record<string, string>) => startFailure({ DATA_DIR: freshDataDir(), ...env });
    const wide = manifest("Wide", `query Wide { ${"suppliers { supplier } ".repeat(30)}}`);
    const wideFailure = await fails({ TRUSTED_DOCUMENTS: wide, GRAPHQL_MAX_TOKENS: "100" });
    expect(wideFailure).toMatch(/exited with 1/);
    expect(wideFailure).toContain(
      `Start-up failed: TRUSTED_DOCUMENTS: ${wide}: operation Wide cannot run on this gateway (GRAPHQL_PARSE_FAILED: `,
    );
    expect(wideFailure).toMatch(/Document contains more tha[nt] 100 tokens/);
    expect(wideFailure).not.toMatch(/\n\s+at /);
    const stale = manifest("Stale", "query Stale { suppliers { noSuchField } }");
    // A federation subgraph's manifests are written for the supergraph: not checked, it starts.
    expect(await fails({ TRUSTED_DOCUMENTS: stale, FEDERATION_SUBGRAPH: "true" })).toBe("started");
    // A hand-made manifest's name need not match its operation's: it runs by the client's own.
    const renamed = manifest("Renamed", "query Other { suppliers { supplier } }");
    expect(await fails({ TRUSTED_DOCUMENTS: renamed })).toBe("started");
    expect(await fails({ TRUSTED_DOCUMENTS: stale })).toMatch(
      /operation Stale cannot run on this gateway \(GRAPHQL_VALIDATION_FAILED: Cannot query field "noSuchField"/,
    );
  });

  it("PostgreSQL unreachable at start: one line naming it and DATABASE_URL, never its password; exit code 1", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await startFailure({ DATABASE_URL: `postgres://gw:s3cretPW@127.0.0.1:${closedPort}/gwdb` });
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(
      new RegExp(
        `Start-up failed: PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/gwdb \\(DATABASE_URL\\) cannot be reached: .*ECONNREFUSED.*\\n`,
      ),
    );
    expect(failure).not.toMatch(/\n\s+at /);
    expect(failure).not.toContain("s3cretPW");
  });

  it.skipIf(noPostgres)("PostgreSQL without the database named: one line saying the server refused, never the password", async () => {
    const url = new URL(DATABASE_URL!);
    url.password = "s3cretPW";
    url.pathname = "/no_such_db_for_the_gateway";
    const failure = await startFailure({ DATABASE_URL: url.toString() });
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(
      /Start-up failed: PostgreSQL at .*\/no_such_db_for_the_gateway \(DATABASE_URL\) refused the gateway: .*does not exist \(SQLSTATE 3D000\)\n/,
    );
    expect(failure).not.toMatch(/\n\s+at /);
    expect(failure).not.toContain("s3cretPW");
  });

  it("known causes are one line; anything else keeps its stack", () => {
    const known = Object.assign(new Error("EROFS: read-only file system, open '/data.lock'"), { code: "EROFS" });
    expect(startFailureText(known)).toBe("Start-up failed: EROFS: read-only file system, open '/data.lock'\n");
    for (const code of ["EPERM", "ENOSPC", "EACCES", "EADDRINUSE", "ENOENT"])
      expect(startFailureText(Object.assign(new Error(code), { code }))).toBe(`Start-up failed: ${code}\n`);
    const unreachable = new StoreUnavailableError(
      "PostgreSQL at db.internal:5432/gw (DATABASE_URL) cannot be reached: connect ECONNREFUSED",
    );
    expect(startFailureText(unreachable)).toBe(`Start-up failed: ${unreachable.message}\n`);
    const full = new StoreUnavailableError("The store cannot run statements: out of resources (SQLSTATE 53100)", {
      cause: new Error('could not extend file "base/5/16384": No space left on device'),
    });
    expect(startFailureText(full)).toBe(
      `Start-up failed: ${full.message} (could not extend file "base/5/16384": No space left on device)\n`,
    );
    // Not an Error (the embedded engine can throw plain objects): shown, not "[object Object]".
    expect(startFailureText({ code: "XX000", detail: "could not lock" })).toMatch(
      /^Start-up failed: \{ code: 'XX000', detail: 'could not lock' \}\n/,
    );
    const unknown = new TypeError("x is not a function");
    expect(startFailureText(unknown)).toMatch(/^Start-up failed: x is not a function\nTypeError: x is not a function\n\s+at /);
  });
});
