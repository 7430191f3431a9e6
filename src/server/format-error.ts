/**
 * The GraphQL edge: turns thrown errors into what docs/api.md promises. A GatewayError keeps its
 * code, message and supplier extensions; GraphQL's own validation and input errors pass
 * through; anything else is a bug and becomes INTERNAL_SERVER_ERROR without internals.
 */
import { unwrapResolverError } from "@apollo/server/errors";
import { BREAK, GraphQLError, Kind, parse, visit, type ASTNode, type DocumentNode, type GraphQLFormattedError } from "graphql";
import { GatewayError } from "../vocabulary/errors.js";
import type { Logger } from "../logger.js";
import { StoreUnavailableError } from "../store/errors.js";
import { isErrorCode, REQUEST_ERROR_CODES } from "../vocabulary/errors.js";

/**
 * A validation or variable error's message as a client gets it: without graphql-js's suggestion
 * at its end ("… Did you mean "orderNo"?") when `hideSuggestions` (production), and graphql-js's
 * bare "Validation aborted." (its check of overlapping fields ran out of budget, black-box probe:
 * ~450 repeated fields) saying what to change.
 */
export function clientMessage(message: string, hideSuggestions: boolean): string {
  if (message === "Validation aborted.")
    return "Validation aborted: the operation repeats too many fields for their overlaps to be checked. Select each field once.";
  return hideSuggestions ? message.replace(/ ?Did you mean [^?]*\?$/, "") : message;
}

/**
 * The formatError of Apollo and graphql-ws: one mapping from thrown errors to the public codes.
 * `hideSuggestions` (production): no schema names suggested in any request error — Apollo's
 * `hideSchemaDetailsFromClientErrors` covers only validation errors, not those of variable values.
 */
export function makeFormatError(log: Logger, hideSuggestions = false) {
  const said = (message: string) => clientMessage(message, hideSuggestions);
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    if (original instanceof GatewayError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: original.extensions() };
    }
    const code = formatted.extensions?.code;
    if (isErrorCode(code) && REQUEST_ERROR_CODES.has(code)) {
      const field = code === "BAD_USER_INPUT" ? inputFieldOf(formatted.message, useOfIn(original)) : undefined;
      return {
        message: said(formatted.message),
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code, ...(field ? { field } : {}) },
      };
    }
    if (original instanceof GraphQLError && formatted.path === undefined) {
      // A request error without a path: variable coercion over the websocket (no framework has
      // set a code), or one of Apollo's own request checks that carries only an HTTP 4xx status
      // (e.g. "provided sha does not match query"). About the client's request, safe to show.
      const status = (original.extensions?.http as { status?: number } | undefined)?.status;
      if (code === undefined) {
        const field = inputFieldOf(formatted.message, useOfIn(original));
        return {
          message: said(formatted.message),
          locations: formatted.locations,
          extensions: { code: "BAD_USER_INPUT", ...(field ? { field } : {}) },
        };
      }
      if (code === "INTERNAL_SERVER_ERROR" && status !== undefined && status >= 400 && status < 500) {
        return { message: formatted.message, extensions: { code: "BAD_REQUEST" } };
      }
    }
    if (original instanceof StoreUnavailableError) {
      log.warn({ err: String(original.cause ?? original), path: formatted.path }, "store unavailable");
      return {
        message: "The gateway's store is unavailable; try again shortly",
        path: formatted.path,
        extensions: { code: "SERVICE_UNAVAILABLE", retryable: true },
      };
    }
    if ((original as { code?: unknown } | undefined)?.code === "ERR_STREAM_DESTROYED") {
      // A subscriber's socket was closed (cut by the keep-alive, say) while an event was being
      // written to it: routine, and nobody is left to answer (black-box probe: one error line
      // with a stack per subscription of a slow consumer).
      log.debug({ path: formatted.path }, "an event was not sent: its subscriber's socket had closed");
      return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    log.error({ err: original, path: formatted.path }, "unexpected error in a resolver");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

/**
 * The input field a variable's coercion error is about, named as the gateway's own input checks
 * name it (`orderNo`, not `input.orderNo`), so that every BAD_USER_INPUT carries `field`
 * (docs/api.md "Errors"). graphql-js words these errors as `Variable "$input" got invalid value
 * … at "input.orderNo"; …`, `…; Field "orderNo" of required type "String!" was not provided.`,
 * `…; Field "extra" is not defined by type "…".` or `Variable "$orderNo" of required type
 * "String!" was not provided.` A variable is named by the argument or input field it is given
 * to (`useOf`, when the operation's text is at hand): a client's `$sup` in `supplier: $sup` is
 * `supplier`, not `sup` (property-based probe, thirty-second session). Undefined when none fits.
 */
export function inputFieldOf(message: string, useOf?: (variable: string) => string | undefined): string | undefined {
  const variable = /^Variable "\$([^"]+)"/.exec(message)?.[1];
  const named = (v: string) => useOf?.(v) ?? v;
  const at = /\bat "([\w.[\]]+)"; /.exec(message)?.[1];
  if (at) {
    if (at.includes(".")) return at.slice(at.indexOf(".") + 1);
    // A list given whole as a variable: `at "p[1]"` is passengerIds[1].
    return variable && at.startsWith(variable) ? named(variable) + at.slice(variable.length) : at;
  }
  const missing = /\bField "([^"]+)" of required type/.exec(message)?.[1];
  if (missing) return missing.slice(missing.lastIndexOf(".") + 1);
  const unknown = /; Field "([^"]+)" is not defined by type/.exec(message)?.[1];
  if (unknown) return unknown;
  return variable && named(variable);
}

/**
 * The argument or input field `$variable` is given to in the operation `source` (its first use
 * in the operation whose text holds `at`, the error's position, when given, the fragments it
 * spreads included, in the order they are spread: a document may hold several operations and
 * fragments, and another operation's use named the wrong field (black-box probe, thirty-third
 * session); else, or if that one does not use it, in the whole document), or undefined when the
 * text does not parse or does not use it. Parsed again only for an error about a variable's value.
 */
export function variableUseIn(source: string, variable: string, at?: number): string | undefined {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch {
    return undefined;
  }
  const operation = at === undefined ? undefined : document.definitions.find((d) => d.loc && d.loc.start <= at && at < d.loc.end);
  return (operation && firstUse(operation, variable, fragmentsOf(document))) ?? firstUse(document, variable);
}

/** The document's fragments by name. */
function fragmentsOf(document: DocumentNode): ReadonlyMap<string, ASTNode> {
  return new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
}

/**
 * The name of the argument or object field around the first use of `$variable` in `node`, the
 * `fragments` it spreads followed where they are spread (each once).
 */
function firstUse(node: ASTNode, variable: string, fragments?: ReadonlyMap<string, ASTNode>, seen = new Set<string>()): string | undefined {
  let found: string | undefined;
  visit(node, {
    FragmentSpread(spread) {
      const fragment = fragments?.get(spread.name.value);
      if (!fragment || seen.has(spread.name.value)) return;
      seen.add(spread.name.value);
      found = firstUse(fragment, variable, fragments, seen);
      if (found !== undefined) return BREAK;
    },
    Variable(v, _key, parent, _path, ancestors) {
      if (found !== undefined || v.name.value !== variable) return;
      // The path from the root: the ancestors, then the parent, then the variable.
      const around = [...ancestors, ...(parent === undefined ? [] : [parent])];
      for (let i = around.length - 1; i >= 0; i--) {
        const a = around[i] as ASTNode | readonly ASTNode[];
        if (Array.isArray(a) || !("kind" in a)) continue;
        if (a.kind === Kind.VARIABLE_DEFINITION) return;
        if (a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD) {
          found = a.name.value;
          return BREAK;
        }
      }
    },
  });
  return found;
}

/** Names a variable of `error`'s operation by where it is used (variableUseIn), when the error carries the operation's text. */
function useOfIn(error: unknown): ((variable: string) => string | undefined) | undefined {
  if (!(error instanceof GraphQLError) || error.source === undefined) return undefined;
  const { body } = error.source;
  const at = error.positions?.[0];
  return (variable) => variableUseIn(body, variable, at);
}
