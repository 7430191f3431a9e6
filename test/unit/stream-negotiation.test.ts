/** Which HTTP transport an Accept header asks for: the header's preference decides (GraphQL over HTTP). */
import { describe, expect, it } from "vitest";
import { streamTransportOf } from "../../src/server/streams/negotiate.js";

describe("streamTransportOf", () => {
  it.each([
    // What real clients send.
    [
      "Apollo Client 4 (subscription)",
      "multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9",
      "multipart",
    ],
    [
      "Apollo iOS / Kotlin",
      'multipart/mixed;boundary="graphql";subscriptionSpec="1.0",application/graphql-response+json,application/json',
      "multipart",
    ],
    ["graphql-sse", "text/event-stream", "sse"],
    ["urql, a subscription", "text/event-stream, multipart/mixed", "sse"],
    [
      "urql, a query or mutation",
      "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed",
      undefined,
    ],
    ["Apollo Client 4 (query)", "application/graphql-response+json,application/json;q=0.9", undefined],
    // Weights.
    ["JSON preferred by weight", "text/event-stream;q=0.5, application/json", undefined],
    ["the stream preferred by weight", "application/json;q=0.5, text/event-stream", "sse"],
    ["equal weight, JSON first", "application/json, text/event-stream", undefined],
    ["equal weight, the stream first", "text/event-stream, application/json", "sse"],
    ["a stream refused with q=0", "text/event-stream;q=0, application/json", undefined],
    ["a stream refused with q=0, nothing else", "text/event-stream;q=0", undefined],
    ["multipart for @defer, not subscriptions", "multipart/mixed;deferSpec=20220824, application/json", undefined],
    ["the heavier of two streams", "text/event-stream;q=0.4, multipart/mixed;subscriptionSpec=1.0;q=0.8", "multipart"],
    ["no Accept", undefined, undefined],
  ])("%s", (_name, accept, expected) => {
    expect(streamTransportOf(accept)).toBe(expected);
  });
});
