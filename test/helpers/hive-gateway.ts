/** Runs Hive Gateway's CLI (`hive-gateway supergraph`) as a process over a composed supergraph file. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./net.js";

const BIN = fileURLToPath(new URL("../../node_modules/@graphql-hive/gateway/dist/bin.js", import.meta.url));
const CONFIG = fileURLToPath(new URL("../fixtures/hive-gateway.config.mjs", import.meta.url));

export interface HiveGateway {
  url: string;
  wsUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startHiveGateway(supergraphPath: string, timeoutMs = 30_000): Promise<HiveGateway> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "supergraph", supergraphPath, "-c", CONFIG, "--host", "127.0.0.1", "--port", String(port)],
    {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Hive Gateway exited with ${child.exitCode}:\n${out}`);
    const ready = await fetch(`${base}/readiness`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Hive Gateway did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
