/**
 * The ATRIP simulator as a service of its own, standing in for the supplier where several
 * gateways must share one (compose.yaml's `suppliers` service, the container proof in
 * scripts/container-proof.sh): `node dist/src/sandbox/serve.js`. Its account is the one the
 * gateways are given (ATRIP_CLIENT_ID, ATRIP_CLIENT_SECRET); SIM_PORT and SIM_HOST say where it
 * listens, SANDBOX_TIME_SCALE how fast its clock runs, ATRIP_SIM_WEBHOOK_URL where it sends its
 * webhooks (a gateway registers its own otherwise). Not part of the gateway: no gateway module
 * imports it.
 */
import { AtripSimulator } from "./atrip/server.js";

const env = process.env;
const need = (name: string) => {
  const v = env[name];
  if (!v) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return v;
};

const sim = await AtripSimulator.start(
  {
    clientId: need("ATRIP_CLIENT_ID"),
    clientSecret: need("ATRIP_CLIENT_SECRET"),
    timeScale: Number(env.SANDBOX_TIME_SCALE ?? "60"),
    webhookUrl: env.ATRIP_SIM_WEBHOOK_URL || undefined,
  },
  Number(env.SIM_PORT ?? "4101"),
  env.SIM_HOST ?? "0.0.0.0",
);
console.log(`ATRIP simulator at ${sim.url}`);
const stop = () => void sim.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
