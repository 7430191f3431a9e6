/**
 * A throw-away PostgreSQL server of the test's own (so restarting it never disturbs the
 * machine's), run as the `postgres` user with the distribution's binaries.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root).sort().pop();
  return v && existsSync(join(root, v, "bin", "initdb")) ? join(root, v, "bin") : undefined;
}

/** Why a private server cannot run here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (!binDir()) return "PostgreSQL server binaries not found";
  if (process.getuid?.() !== 0) return "not root (the server must run as the postgres user)";
  if (spawnSync("id", ["postgres"]).status !== 0) return "no postgres user";
  return undefined;
}

export class PrivatePostgres {
  private readonly dir: string;
  private readonly bin: string;

  constructor(readonly port: number) {
    this.bin = binDir() as string;
    this.dir = mkdtempSync(join(tmpdir(), "pg-private-"));
    chownSync(
      this.dir,
      Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    );
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private asPostgres(cmd: string): void {
    execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", cmd], { stdio: "ignore" });
  }

  init(): void {
    this.asPostgres(`${this.bin}/initdb -D ${this.dir}/data -A trust -U postgres`);
  }

  start(): void {
    this.asPostgres(
      `${this.bin}/pg_ctl -D ${this.dir}/data -o '-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1' -l ${this.dir}/log -w start`,
    );
  }

  /** Stops at once, as a crash would (-m immediate). */
  stop(): void {
    this.asPostgres(`${this.bin}/pg_ctl -D ${this.dir}/data -m immediate stop`);
  }
}
