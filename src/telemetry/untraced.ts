/**
 * Local ports whose HTTP servers are not traced: the embedded supplier simulators
 * (src/sandbox/http-kit.ts). They stand in for the suppliers, so their work is not the
 * gateway's: the HTTP instrumentation suppresses tracing for requests they receive (and for
 * everything those requests cause there, such as the simulated webhooks they send). Plain
 * data, no OpenTelemetry import: the simulators register whether or not tracing is on.
 */
const ports = new Set<number>();

/** The server listening on `port` is not traced. */
export function untracedPort(port: number): void {
  ports.add(port);
}

/** The port is free again (its server closed). */
export function releasePort(port: number): void {
  ports.delete(port);
}

export function isUntracedPort(port: number | undefined): boolean {
  return port !== undefined && ports.has(port);
}
