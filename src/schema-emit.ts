/**
 * `npm run schema:emit`: writes schema/schema.graphql (sorted, so diffs are stable) and
 * schema/subgraph.graphql (the Federation 2 subgraph SDL, as `_service { sdl }` serves it)
 * from the code.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildSubgraphGatewaySchema, subgraphSdl } from "./federation/schema.js";
import { buildGatewaySchema } from "./schema.js";

const committed = (name: string) => fileURLToPath(new URL(`../../schema/${name}`, import.meta.url));
/** Optional arguments: where to write instead (CI writes copies and compares). */
const target = process.argv[2] ?? committed("schema.graphql");
const subgraphTarget = process.argv[3] ?? committed("subgraph.graphql");
writeFileSync(target, `${printSchema(lexicographicSortSchema(await buildGatewaySchema()))}\n`);
writeFileSync(subgraphTarget, `${await subgraphSdl(await buildSubgraphGatewaySchema())}\n`);
console.log(`wrote ${target} and ${subgraphTarget}`);
