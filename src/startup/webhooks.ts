/**
 * Start-up steps for supplier webhooks: the intakes to serve (each supplier's path segment and
 * secret token, from its descriptor) and, once the server listens, the registration of their
 * URLs with every account of each supplier.
 */
import { randomBytes } from "node:crypto";
import type { SupplierRegistry } from "../../datasources/registry.js";
import type { SupplierDescriptor } from "../../datasources/supplier.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../logger.js";
import type { SupplierName } from "../vocabulary/suppliers.js";

/** A supplier's webhook intake: served at /webhooks/<segment>/<token>. */
export interface WebhookIntake {
  supplier: SupplierName;
  segment: string;
  /** The configured token, or a random one per start. */
  token: string;
}

export function webhookIntakes(config: Config, suppliers: readonly SupplierDescriptor[]): WebhookIntake[] {
  return suppliers.flatMap((s) =>
    s.webhooks
      ? [
          {
            supplier: s.name,
            segment: s.webhooks.segment,
            token: s.webhooks.token(config.suppliers[s.name]?.settings) ?? randomBytes(24).toString("hex"),
          },
        ]
      : [],
  );
}

/**
 * Registers each intake's URL with every account of its supplier (tenants' own accounts send
 * their webhooks here too): at WEBHOOK_PUBLIC_URL, or, on a simulator, at this server itself.
 * A failed registration is logged; polling still tracks every record.
 */
export async function registerWebhooks(
  intakes: readonly WebhookIntake[],
  registry: SupplierRegistry,
  opts: { publicUrl?: string; port: number; log: Logger },
): Promise<void> {
  for (const intake of intakes) {
    const onSimulator = registry.get(intake.supplier)?.sandbox ?? false;
    const base = opts.publicUrl ?? (onSimulator ? `http://127.0.0.1:${opts.port}` : undefined);
    if (!base) {
      opts.log.info(
        { supplier: intake.supplier },
        "WEBHOOK_PUBLIC_URL is not set: webhooks are not registered automatically; polling tracks every record the gateway holds, but a submission whose reply was lost is adopted only from a webhook",
      );
      continue;
    }
    for (const account of registry.accounts(intake.supplier)) {
      await account.webhooks?.register(`${base.replace(/\/+$/, "")}/webhooks/${intake.segment}/${intake.token}`).catch((err: unknown) => {
        opts.log.warn(
          { err: String(err), supplier: intake.supplier },
          "could not register the webhook URL; polling still tracks every record",
        );
      });
    }
  }
}
