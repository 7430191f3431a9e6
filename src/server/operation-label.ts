/**
 * The `operation` label of the GraphQL metrics: the root field an operation runs, taken from
 * the schema, never the client-sent operationName. Every distinct name used to become a new
 * series, so anyone could grow /metrics without bound (hardening issue, item 1). The labels
 * form a closed set: the schema's root fields plus three buckets.
 */
import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/** Several different root fields in one operation. */
const MULTIPLE = "multiple";
/** Only meta fields (`__schema`, `__type`, `__typename`). */
const INTROSPECTION = "introspection";
/** No operation could be told: unparsable, invalid, refused before parsing, or an unknown operationName. */
export const UNKNOWN = "unknown";

/** The labels of one schema: `of` names an operation by the root field it runs, `all` lists every label there can be. */
export class OperationLabels {
  private readonly rootFields = new Set<string>();
  /** Apollo keeps one parsed document per query, so its operation nodes recur: label each once. */
  private readonly known = new WeakMap<OperationDefinitionNode, string>();

  constructor(schema: GraphQLSchema) {
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const name of Object.keys(type?.getFields() ?? {})) this.rootFields.add(name);
    }
  }

  /** Every label `of` can return. */
  all(): string[] {
    return [...this.rootFields, MULTIPLE, INTROSPECTION, UNKNOWN];
  }

  /** The label of an operation of a (validated) document; UNKNOWN without one. */
  of(document: DocumentNode | undefined, operation: OperationDefinitionNode | null | undefined): string {
    if (!document || !operation) return UNKNOWN;
    let label = this.known.get(operation);
    if (label === undefined) this.known.set(operation, (label = this.compute(document, operation)));
    return label;
  }

  private compute(document: DocumentNode, operation: OperationDefinitionNode): string {
    const fields = new Set<string>();
    let meta = false;
    const visited = new Set<string>();
    const walk = (set: SelectionSetNode) => {
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          if (s.name.value.startsWith("__")) meta = true;
          else fields.add(s.name.value);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          walk(s.selectionSet);
        } else if (!visited.has(s.name.value)) {
          visited.add(s.name.value);
          const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
          if (fragment?.kind === Kind.FRAGMENT_DEFINITION) walk(fragment.selectionSet);
        }
      }
    };
    walk(operation.selectionSet);
    if (fields.size > 1) return MULTIPLE;
    const [only] = fields;
    if (only !== undefined) return this.rootFields.has(only) ? only : UNKNOWN;
    return meta ? INTROSPECTION : UNKNOWN;
  }
}
