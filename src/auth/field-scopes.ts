/**
 * The scope each root field and field resolver needs, checked before its resolver runs:
 * UNAUTHENTICATED without a principal, FORBIDDEN without the scope (`requireScope`), before
 * argument validation, as type-graphql's `@Authorized` did.
 *
 * Why not `@Authorized`: type-graphql runs its check as an async middleware, so every guarded
 * resolver, a synchronous one included, went through a chain of about five promises per call —
 * per query and per subscription event delivered to each subscriber (bench/RESULTS.md, "Issue 24,
 * fourteenth session"). Here the scope is declared on the field (`@RequireScope`, a field
 * extension; not part of the SDL), and `enforceScopes` wraps the built schema's resolvers with a
 * synchronous check.
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { Extensions } from "type-graphql";
import { requireScope } from "./index.js";
import type { Principal, Scope } from "./principal.js";

const SCOPE = "requiredScope";

/** Declares the scope a query, mutation, subscription or field resolver needs (checked by `enforceScopes`). */
export function RequireScope(scope: Scope): ReturnType<typeof Extensions> {
  return Extensions({ [SCOPE]: scope });
}

type Resolver = GraphQLFieldResolver<unknown, { principal: Principal | null }>;

function guarded(resolve: Resolver, scope: Scope): Resolver {
  return (source, args, context, info) => {
    requireScope(context.principal, scope);
    return resolve(source, args, context, info);
  };
}

/**
 * Wraps the resolve (and subscribe) function of every field that declares a scope with its
 * check, in place, and returns the schema. A root field without a scope is refused at build
 * time: nothing reaches a resolver unchecked by oversight.
 */
export function enforceScopes(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const scope = field.extensions[SCOPE] as Scope | undefined;
      if (scope === undefined) {
        if (roots.has(type)) throw new Error(`${type.name}.${field.name} declares no scope: give it @RequireScope("read") or ("write")`);
        continue;
      }
      field.resolve = guarded((field.resolve as Resolver | undefined) ?? defaultFieldResolver, scope) as typeof field.resolve;
      if (field.subscribe) field.subscribe = guarded(field.subscribe as Resolver, scope) as typeof field.subscribe;
    }
  }
  return schema;
}
