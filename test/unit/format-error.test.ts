import { Writable } from "node:stream";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { makeFormatError } from "../../src/server/format-error.js";

/** A debug-level logger whose JSON lines are kept. */
function capturing() {
  const lines: Array<{ level: number; msg: string }> = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { lines, log: createLogger("debug", out) };
}

const inResolver = (err: Error) => new GraphQLError(err.message, { path: ["voidStatusChanged"], originalError: err });

describe("formatError", () => {
  it("a write to a subscriber's socket that had closed is routine: debug, not an error with a stack", async () => {
    const { lines, log } = capturing();
    const destroyed = Object.assign(new Error("Cannot call write after a stream was destroyed"), { code: "ERR_STREAM_DESTROYED" });
    const formatted = makeFormatError(log)({ message: destroyed.message, path: ["voidStatusChanged"] }, inResolver(destroyed));
    expect(formatted.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
    const bug = new Error("boom");
    makeFormatError(log)({ message: bug.message, path: ["voidStatusChanged"] }, inResolver(bug));
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, "an event was not sent: its subscriber's socket had closed"],
      [50, "unexpected error in a resolver"],
    ]);
  });
});
