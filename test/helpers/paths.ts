/**
 * Where the test run keeps its prepared embedded-store templates (see test/global-setup.ts).
 * The global setup picks the folder and passes it to test workers through the environment.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.GATEWAY_TEST_TEMPLATES ??= join(tmpdir(), `gateway-test-templates-${process.pid}`);

export const TEMPLATE_ROOT = process.env.GATEWAY_TEST_TEMPLATES;
export const PGLITE_DATADIR_TEMPLATE = join(TEMPLATE_ROOT, "pglite-datadir");
export const PGLITE_DUMP_TEMPLATE = join(TEMPLATE_ROOT, "pglite-dump.tar.gz");
