/**
 * The web example as its release pipeline makes it: `vite build` of examples/web and the
 * operation manifest written by `@apollo/generate-persisted-query-manifest` from its
 * operations (the real tools, as processes), and a static server to serve the result from
 * an origin of its own.
 */
import { execFile } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VITE = join(ROOT, "node_modules/vite/bin/vite.js");
const GENERATOR = join(ROOT, "node_modules/@apollo/generate-persisted-query-manifest/cli.js");

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${file} ${args.join(" ")} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout + stderr),
    );
  });
}

/** Writes the example's operation manifest into `dir`; returns its path. */
export async function generateManifest(dir = mkdtempSync(join(tmpdir(), "manifest-"))): Promise<string> {
  const output = join(dir, "persisted-query-manifest.json");
  const config = join(dir, "persisted-query-manifest.config.json");
  writeFileSync(config, JSON.stringify({ documents: [join(ROOT, "examples/web/src/**/*.ts")], output }));
  await run(GENERATOR, ["--config", config]);
  return output;
}

/** Builds the example into a fresh folder, manifest included; returns the folder. */
export async function buildWebExample(): Promise<{ dir: string; manifest: string }> {
  const dir = mkdtempSync(join(tmpdir(), "web-example-"));
  await run(VITE, ["build", "examples/web", "--outDir", dir, "--emptyOutDir", "--logLevel", "warn"]);
  return { dir, manifest: await generateManifest(dir) };
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".css": "text/css" };

/** Serves a folder on 127.0.0.1 (its own origin); nothing but GET of files in it. */
export async function serveStatic(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
