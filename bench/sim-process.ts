/** Runs the ATRIP simulator alone (its own process), printing its URL: benches call it directly and through the gateway. */
import { AtripSimulator } from "../src/sandbox/atrip/server.js";
import { BENCH_ATRIP } from "./gateway-client.js";

const sim = await AtripSimulator.start({ ...BENCH_ATRIP, timeScale: Number(process.env.SANDBOX_TIME_SCALE ?? "1") });
console.log(`SIM ${sim.url}`);
process.on("SIGTERM", () => void sim.close().then(() => process.exit(0)));
