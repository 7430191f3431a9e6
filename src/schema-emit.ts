/** `npm run schema:emit`: writes schema/schema.graphql from the code (sorted, so diffs are stable). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildGatewaySchema } from "./schema.js";

/** Optional first argument: where to write instead (CI writes a copy and compares). */
const target = process.argv[2] ?? fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));
const schema = await buildGatewaySchema();
writeFileSync(target, `${printSchema(lexicographicSortSchema(schema))}\n`);
console.log(`wrote ${target}`);
