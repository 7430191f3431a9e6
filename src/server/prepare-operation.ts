/**
 * Parse, validate and label one operation, the same way for every transport that executes it
 * outside Apollo: the websocket (./ws/options.ts) and the HTTP streams (./streams/). The rules
 * are Apollo's — GraphQL's own plus the query limits — so a document refused over HTTP is
 * refused everywhere, with the same code.
 */
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
  visit,
} from "graphql";
import { clientMessage } from "./format-error.js";
import { UNKNOWN, type OperationLabels } from "./operation-label.js";

/** An operation ready to run: its document, the operation chosen in it, its metrics label. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** Its metrics label (./operation-label.ts). */
  label: string;
  subscription: boolean;
}

/** An operation refused before it ran, with the code it is counted and answered under. */
export interface RefusedOperation {
  refused: { label: string; code: string; errors: readonly GraphQLError[] };
}

/** What the preparer needs: the schema, the extra validation rules (query limits), the labels. */
export interface PrepareDeps {
  schema: GraphQLSchema;
  rules: readonly ValidationRule[];
  labels: OperationLabels;
  /** Production: no schema names suggested in validation errors (Apollo's `hideSchemaDetailsFromClientErrors`, for every transport). */
  hideSuggestions?: boolean;
  /** Tokens a document may have (GRAPHQL_MAX_TOKENS, ./limits.ts), as Apollo's `parseOptions`; unlimited when absent. */
  maxTokens?: number;
}

/** The refusal of a request with the code a client can branch on (Apollo's codes for the same faults). */
function refusal(code: string, errors: readonly GraphQLError[], label = UNKNOWN): RefusedOperation {
  const coded = errors.map((e) =>
    e.extensions?.code
      ? e
      : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } }),
  );
  return { refused: { label, code, errors: coded } };
}

/** Returns the function that prepares `query` (with `operationName`) or says why it cannot run. */
export function operationPreparer(d: PrepareDeps): (query: unknown, operationName?: string | null) => PreparedOperation | RefusedOperation {
  const rules = [...specifiedRules, ...d.rules];
  return (query, operationName) => {
    if (typeof query !== "string" || query === "")
      return refusal("BAD_REQUEST", [new GraphQLError("The request has no GraphQL document: send `query` as a string")]);
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: d.maxTokens });
    } catch (err) {
      return refusal("GRAPHQL_PARSE_FAILED", [err instanceof GraphQLError ? err : new GraphQLError(String(err))]);
    }
    const errors = validate(d.schema, document, rules);
    if (errors.length)
      return refusal(
        "GRAPHQL_VALIDATION_FAILED",
        errors.map((e) => {
          const message = clientMessage(e.message, d.hideSuggestions ?? false);
          return message === e.message ? e : new GraphQLError(message, { nodes: e.nodes, extensions: e.extensions });
        }),
      );
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) {
      const why = operationName
        ? `Unknown operation named "${operationName}"`
        : "Must provide operation name if query contains multiple operations";
      return refusal("OPERATION_RESOLUTION_FAILURE", [new GraphQLError(why)]);
    }
    const subscription = operation.operation === "subscription";
    if (subscription) releaseTokens(document);
    return { document, operation, label: d.labels.of(document, operation), subscription };
  };
}

/**
 * Lets go of the lexer's tokens a parsed document keeps: each node's location links to its
 * first and last token, and the tokens to one another, so the whole token list lives as long
 * as the document. A subscription's document lives as long as the subscription, and only the
 * parser reads tokens; an error's line and column come from the location's source and offset,
 * which stay. With one document per subscriber (a literal argument in each), the tokens were
 * 15 of about 330 objects and 1.3 of 20 KB per subscriber (bench/RESULTS.md, issue 24).
 */
export function releaseTokens(document: DocumentNode): void {
  visit(document, {
    enter(node) {
      const loc = node.loc as { startToken?: unknown; endToken?: unknown } | undefined;
      if (loc) loc.startToken = loc.endToken = undefined;
    },
  });
}
