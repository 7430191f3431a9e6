/**
 * Query limits, checked during validation — before anything executes — over HTTP and the
 * websocket alike: depth, aliases and cost (graphql-armor's rules). A rejected operation gets
 * GRAPHQL_VALIDATION_FAILED with a message saying which limit and by how much.
 */
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { GraphQLError, type ValidationContext, type ValidationRule } from "graphql";

/**
 * graphql-armor words a limit as a syntax error, with the cost it found unrounded ("Syntax Error:
 * Query Cost limit of 5000 exceeded, found 126251.84147021174."): reported as "Query Cost limit of
 * 5000 exceeded, found 126252.".
 */
const LIMIT_MESSAGE = /^Syntax Error: ((?:Query Cost|Query depth|Aliases) limit of \d+ exceeded, found )(\d+(?:\.\d+)?)\.$/;

function plainly(err: GraphQLError): GraphQLError {
  const limit = LIMIT_MESSAGE.exec(err.message);
  return limit ? new GraphQLError(`${limit[1]}${Math.ceil(Number(limit[2]))}.`, { nodes: err.nodes, extensions: err.extensions }) : err;
}

/** Report a rejection as a validation error (GRAPHQL_VALIDATION_FAILED) instead of throwing. */
const report = {
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(plainly(err))],
};

/** The limits of one operation (GRAPHQL_MAX_DEPTH, GRAPHQL_MAX_ALIASES, GRAPHQL_MAX_COST, GRAPHQL_MAX_TOKENS). */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /**
   * Tokens one document may have, checked by graphql-js as it parses (`maxTokens`), for Apollo
   * and every other transport. Validation's cost grows with a document's size before the limit
   * rules can refuse it: 4,760 repeated fields in a 100 KB body took 0.5–2 s of the event loop
   * each (black-box probe), 250 of them (this default) 10–30 ms.
   */
  maxTokens: number;
}

/** The limits when none are configured: the configuration rows take their defaults from here (src/config/http.ts). */
export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxCost: 5000, maxTokens: 1000 };

/** The validation rules for these limits, shared by Apollo and graphql-ws; limits are shown in the message (`exposeLimits`). */
export function limitRules(l: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: l.maxDepth, exposeLimits: true, ignoreIntrospection: true, ...report }),
    // graphql-armor's default allow list: aliases of __typename are not counted (Relay writes
    // `__isNode: __typename` and the like for its type checks; black-box probe, noted in the row).
    maxAliasesRule({ n: l.maxAliases, exposeLimits: true, allowList: ["__typename"], ...report }),
    costLimitRule({ maxCost: l.maxCost, exposeLimits: true, ignoreIntrospection: true, ...report }),
  ] as ValidationRule[];
}
