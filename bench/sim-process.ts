/**
 * Runs the ATRIP simulator alone (its own process), printing its URL: benches call it directly
 * and through the gateway. As the supplier stand-in of bench:overhead it gzips every reply
 * (both the gateway and the direct load send Accept-Encoding: gzip, as ATRIP requires) and
 * keeps idle connections 65 s, as a typical production front end does (issue 14).
 */
import { AtripSimulator } from "../src/sandbox/atrip/server.js";
import { BENCH_ATRIP } from "./gateway-client.js";

const sim = await AtripSimulator.start({
  ...BENCH_ATRIP,
  timeScale: Number(process.env.SANDBOX_TIME_SCALE ?? "1"),
  keepAliveTimeoutMs: 65_000,
});
console.log(`SIM ${sim.url}`);
process.on("SIGTERM", () => void sim.close().then(() => process.exit(0)));
