/**
 * The gateway's schema as an Apollo Federation 2 subgraph (FEDERATION_SUBGRAPH=true), the way
 * type-graphql documents it: type-graphql builds the schema (plus the Order entity), its SDL
 * gets the federation `@link` and the entities' `@key`s, and `@apollo/subgraph`'s
 * `buildSubgraphSchema` rebuilds it with type-graphql's resolvers (`createResolversMap`:
 * scope checks and input validation included) and the reference resolvers, adding
 * `_service` and `_entities`. The default schema is untouched.
 */
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import {
  graphql,
  Kind,
  lexicographicSortSchema,
  parse,
  printSchema,
  visit,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { buildSchema, createResolversMap } from "type-graphql";
import type { GatewayContext } from "../../resolvers/context.js";
import { enforceScopes } from "../auth/field-scopes.js";
import { requireScope } from "../auth/index.js";
import { GatewayError } from "../vocabulary/errors.js";
import { gatewaySchemaOptions } from "../schema.js";
import { OrderEntityResolver } from "./order.resolver.js";
import { Order } from "./order.type.js";
import { REFERENCE_RESOLVERS } from "./references.js";

/** The federation spec version the subgraph links to (supported by Apollo's and The Guild's composition). */
const FEDERATION_SPEC = "https://specs.apollo.dev/federation/v2.3";

/** The entities the gateway owns, and the fields that identify each (docs/api.md "Additions"). */
const ENTITY_KEYS: Readonly<Record<keyof typeof REFERENCE_RESOLVERS, string>> = {
  VoidOrder: "supplier voidCode",
  TicketIssuanceStop: "supplier orderNo",
  Order: "supplier orderNo",
};

function keyDirective(fields: string): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: "key" },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "fields" }, value: { kind: Kind.STRING, value: fields } }],
  };
}

/** The SDL with `@link` to federation 2 and a `@key` on every entity. */
function withFederation(sdl: string): DocumentNode {
  const keyed = visit(parse(sdl), {
    ObjectTypeDefinition(node) {
      const fields = ENTITY_KEYS[node.name.value as keyof typeof ENTITY_KEYS];
      return fields === undefined ? undefined : { ...node, directives: [...(node.directives ?? []), keyDirective(fields)] };
    },
  });
  const link = parse(`extend schema @link(url: "${FEDERATION_SPEC}", import: ["@key"])`);
  return { kind: Kind.DOCUMENT, definitions: [...link.definitions, ...keyed.definitions] };
}

export async function buildSubgraphGatewaySchema(): Promise<GraphQLSchema> {
  const options = gatewaySchemaOptions();
  const base = enforceScopes(
    await buildSchema({ ...options, resolvers: [...options.resolvers, OrderEntityResolver], orphanedTypes: [Order] }),
  );
  const resolvers = createResolversMap(base) as GraphQLResolverMap<unknown>;
  for (const [type, resolveReference] of Object.entries(REFERENCE_RESOLVERS)) {
    resolvers[type] = { ...(resolvers[type] as object), __resolveReference: resolveReference } as GraphQLResolverMap<unknown>[string];
  }
  return checkRepresentations(buildSubgraphSchema({ typeDefs: withFederation(printSchema(lexicographicSortSchema(base))), resolvers }));
}

/**
 * `_entities` answers a representation that names none of this subgraph's entities (no
 * `__typename`, an unknown type, a type that is not an entity) with BAD_USER_INPUT at its index
 * (after the credentials' read scope, as each reference resolver checks it), before
 * `@apollo/subgraph`'s own resolver throws a plain error for it, which would be an internal
 * error (one that operators alert on) caused by a client, and would fail the other references too.
 */
function checkRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return schema;
  const entities = Object.keys(ENTITY_KEYS);
  field.resolve = async (source, args: { representations?: unknown }, context: GatewayContext, info) => {
    requireScope(context.principal, "read"); // credentials first, as the reference resolvers check them
    const representations: unknown[] = Array.isArray(args.representations) ? args.representations : [];
    // Each such representation fails on its own, at its index (`_entities.<n>`), as one with a
    // bad key does: the others are resolved by `@apollo/subgraph`, which would fail them all.
    const known: unknown[] = [];
    const slots = representations.map((r, i) => {
      const type = r !== null && typeof r === "object" ? (r as { __typename?: unknown }).__typename : undefined;
      if (typeof type === "string" && entities.includes(type)) return known.push(r) - 1;
      return new GatewayError("BAD_USER_INPUT", `representations[${i}]: __typename must be one of ${entities.join(", ")}`, {
        field: "representations",
      });
    });
    if (known.length === representations.length) return resolve(source, args, context, info);
    const resolved = known.length ? ((await resolve(source, { ...args, representations: known }, context, info)) as unknown[]) : [];
    // An Error in a list is that item's error: null there, the error at its path.
    return slots.map((slot) => (typeof slot === "number" ? resolved[slot] : slot));
  };
  return schema;
}

/** The subgraph SDL exactly as `_service { sdl }` serves it to routers (schema/subgraph.graphql is this). */
export async function subgraphSdl(schema: GraphQLSchema): Promise<string> {
  const r = await graphql({ schema, source: "{ _service { sdl } }" });
  const sdl = (r.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== "string") throw new Error(`_service { sdl } failed: ${JSON.stringify(r.errors)}`);
  return sdl;
}
