/**
 * The one wiring list of suppliers (issue 13, part A; docs/architecture.md "Layout"). Adding a
 * supplier: a `datasources/<name>/` folder with its descriptor, a simulator under
 * `src/sandbox/<name>/`, its name here and a line below. Configuration, the gateway, the
 * simulators, the webhook router and the schema's `Supplier` enum loop over this list.
 */
import { alitripSupplier } from "./alitrip/descriptor.js";
import { atripSupplier } from "./atrip/descriptor.js";
import { cttSupplier } from "./ctt/descriptor.js";
import type { SupplierDescriptor } from "./supplier.js";

export const SUPPLIERS: readonly SupplierDescriptor[] = [atripSupplier, alitripSupplier, cttSupplier];
