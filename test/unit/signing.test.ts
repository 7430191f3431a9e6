/**
 * Signing test vectors. The expected values were computed outside this code base (Python's
 * hashlib/hmac over the hand-written strings below), so they check the production code path
 * against an independent implementation.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTopTime, topSign, topSignBase, topTimestamp } from "../../datasources/alitrip/sign.js";
import { cttSign, cttSignBase, cttTimeStamp } from "../../datasources/ctt/sign.js";

const PARAMS = {
  method: "alitrip.btrip.flight.distribution.order.cancel",
  app_key: "12345678",
  session: "test-session",
  timestamp: "2026-11-21 16:30:00",
  v: "2.0",
  format: "json",
  param_btrip_flight_order_operate_common_rq: '{"sub_channel":"corp001","dis_order_id":"test0087771"}',
  empty: "",
};

describe("TOP signing", () => {
  it("builds the base string: sorted, empty values dropped, raw values, sign excluded", () => {
    expect(topSignBase({ ...PARAMS, sign_method: "hmac-sha256", sign: "IGNORED" })).toBe(
      "app_key12345678" +
        "formatjson" +
        "methodalitrip.btrip.flight.distribution.order.cancel" +
        'param_btrip_flight_order_operate_common_rq{"sub_channel":"corp001","dis_order_id":"test0087771"}' +
        "sessiontest-session" +
        "sign_methodhmac-sha256" +
        "timestamp2026-11-21 16:30:00" +
        "v2.0",
    );
  });

  it.each([
    ["md5", "CC9F3BBE0B9644DF7FE22DA66653977B"],
    ["hmac", "C4ACEB286648FA00802E78EBEC32A898"],
    ["hmac-sha256", "4B2DF4CD5BEF3A00D6140B204C77F5BA96FA1BAEF89E38FB3E25E00A0FF8FD8E"],
  ] as const)("%s vector", (method, expected) => {
    expect(topSign({ ...PARAMS, sign_method: method }, "helloworld", method)).toBe(expected);
  });

  it("writes the timestamp in GMT+8", () => {
    expect(topTimestamp(new Date("2026-11-21T08:30:00Z"))).toBe("2026-11-21 16:30:00");
    expect(topTimestamp(new Date("2026-12-31T20:00:01Z"))).toBe("2027-01-01 04:00:01");
    expect(parseTopTime("2026-11-21 16:30:00")?.toISOString()).toBe("2026-11-21T08:30:00.000Z");
    expect(parseTopTime("2026-02-30 10:00:00")).toBeNull();
  });

  it("writes the timestamp in GMT+8 when the process runs in America/New_York", () => {
    const sign = fileURLToPath(new URL("../../dist/datasources/alitrip/sign.js", import.meta.url));
    const script = `import(${JSON.stringify(sign)}).then(m => console.log(new Date("2026-11-21T08:30:00Z").getTimezoneOffset(), m.topTimestamp(new Date("2026-11-21T08:30:00Z"))))`;
    const out = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, TZ: "America/New_York" } }).toString().trim();
    expect(out).toBe("300 2026-11-21 16:30:00");
  });
});

describe("CTT signing", () => {
  it("signs random, timestamp and terminal (the vector)", () => {
    expect(cttSignBase(12345, "20261121083000")).toBe("random=12345&timestamp=20261121083000&terminal=1");
    expect(cttSign("ctt-key", 12345, "20261121083000")).toBe("cd840aace5a05460947e0d602b04eb3b0fa825e7ab65f1b86e9c2a573eba8eaa");
  });

  it("time_stamp is UTC yyyyMMddHHmmss", () => {
    expect(cttTimeStamp(new Date("2026-11-21T08:30:05Z"))).toBe("20261121083005");
  });
});
