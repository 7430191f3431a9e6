/**
 * Signing test vectors. The expected values were computed outside this code base (Python 3's
 * hashlib/hmac over the hand-written strings below; see each vector), so they check both the
 * gateway's signing (datasources/) and the simulators' own (src/sandbox/, issue B.11) against
 * an implementation neither of them shares.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseTopTime, topSign, topSignBase, topTimestamp } from "../../datasources/alitrip/sign.js";
import { cttSign, cttSignBase, cttTimeStamp } from "../../datasources/ctt/sign.js";
import { expectedSign, formatGmt8, parseGmt8, responseKeyOf } from "../../src/sandbox/alitrip/top-protocol.js";
import { expectedCttSign, parseCttTimeStamp } from "../../src/sandbox/ctt/signature.js";

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

  // python3: s = "".join(k + v for k, v in sorted(p.items()) if k != "sign" and v != "");
  // md5: hashlib.md5(secret + s + secret).hexdigest().upper();
  // hmac: hmac.new(secret, s, hashlib.md5).hexdigest().upper(); hmac-sha256: same with sha256.
  it.each([
    ["md5", "CC9F3BBE0B9644DF7FE22DA66653977B"],
    ["hmac", "C4ACEB286648FA00802E78EBEC32A898"],
    ["hmac-sha256", "4B2DF4CD5BEF3A00D6140B204C77F5BA96FA1BAEF89E38FB3E25E00A0FF8FD8E"],
  ] as const)("%s vector (gateway and simulator)", (method, expected) => {
    expect(topSign({ ...PARAMS, sign_method: method }, "helloworld", method)).toBe(expected);
    expect(expectedSign({ ...PARAMS, sign_method: method }, "helloworld", method)).toBe(expected);
  });

  // Non-ASCII in a value (signed as UTF-8) and an empty `simplify` dropped; computed as above
  // with secret "app-secret-xyz".
  const CHINESE = {
    method: "alitrip.btrip.flight.distribution.order.cancel",
    app_key: "app-123",
    session: "sess-abc",
    timestamp: "2027-01-01 04:00:01",
    v: "2.0",
    format: "json",
    param_btrip_flight_order_operate_common_rq: '{"sub_channel":"企业001","dis_order_id":"ALI-CANCEL-OK"}',
    simplify: "",
  };
  it.each([
    ["md5", "4D4EE493D71BC95CC6DF3C39BFF1F4FE"],
    ["hmac", "643942A652892A43D928D03289679D12"],
    ["hmac-sha256", "00CA52F42516EB0DEB3698DA8D2BE7FDF91F14FB3871115DB92EE407D003171D"],
  ] as const)("%s vector with UTF-8 values (gateway and simulator)", (method, expected) => {
    expect(topSign({ ...CHINESE, sign_method: method }, "app-secret-xyz", method)).toBe(expected);
    expect(expectedSign({ ...CHINESE, sign_method: method }, "app-secret-xyz", method)).toBe(expected);
  });

  it("the simulator's GMT+8 times and response key", () => {
    expect(formatGmt8(Date.parse("2026-12-31T20:00:01Z"))).toBe("2027-01-01 04:00:01");
    expect(parseGmt8("2026-11-21 16:30:00")).toBe(Date.parse("2026-11-21T08:30:00Z"));
    expect(parseGmt8("2026-02-30 10:00:00")).toBeNull();
    expect(parseGmt8("2026-11-21T16:30:00")).toBeNull();
    expect(responseKeyOf("alitrip.btrip.flight.distribution.order.cancel")).toBe("alitrip_btrip_flight_distribution_order_cancel_response");
  });

  it("writes the timestamp in GMT+8", () => {
    expect(topTimestamp(new Date("2026-11-21T08:30:00Z"))).toBe("2026-11-21 16:30:00");
    expect(topTimestamp(new Date("2026-12-31T20:00:01Z"))).toBe("2027-01-01 04:00:01");
    expect(parseTopTime("2026-11-21 16:30:00")?.toISOString()).toBe("2026-11-21T08:30:00.000Z");
    expect(parseTopTime("2026-02-30 10:00:00")).toBeNull();
    // Years 0-99 are those years, not 1900-1999 (Date.UTC's reading).
    expect(parseTopTime("0021-08-01 09:00:00")?.toISOString()).toBe("0021-08-01T01:00:00.000Z");
    expect(parseTopTime("0001-01-01 00:00:00")?.toISOString()).toBe("0000-12-31T16:00:00.000Z");
  });

  it("writes the timestamp in GMT+8 when the process runs in America/New_York", () => {
    const sign = fileURLToPath(new URL("../../dist/datasources/alitrip/sign.js", import.meta.url));
    const script = `import(${JSON.stringify(sign)}).then(m => console.log(new Date("2026-11-21T08:30:00Z").getTimezoneOffset(), m.topTimestamp(new Date("2026-11-21T08:30:00Z"))))`;
    const out = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, TZ: "America/New_York" } })
      .toString()
      .trim();
    expect(out).toBe("300 2026-11-21 16:30:00");
  });
});

describe("CTT signing", () => {
  // python3: hmac.new(key, hashlib.md5(b"random=…&timestamp=…&terminal=1").hexdigest().encode(), hashlib.sha256).hexdigest()
  it.each([
    ["ctt-key", 12345, "20261121083000", "cd840aace5a05460947e0d602b04eb3b0fa825e7ab65f1b86e9c2a573eba8eaa"],
    ["ctt-sign-key", 19999, "20270101000000", "14a1073617c24f1d156168149ec2b02cb1beebc20b068004d18f3c8ac706b9b9"],
  ] as const)("signs random, timestamp and terminal (key %s, gateway and simulator)", (key, random, stamp, expected) => {
    expect(cttSignBase(random, stamp)).toBe(`random=${random}&timestamp=${stamp}&terminal=1`);
    expect(cttSign(key, random, stamp)).toBe(expected);
    expect(expectedCttSign(key, random, stamp, 1)).toBe(expected);
  });

  it("the simulator reads time_stamp as UTC and refuses impossible ones", () => {
    expect(parseCttTimeStamp("20261121083005")).toBe(Date.parse("2026-11-21T08:30:05Z"));
    expect(parseCttTimeStamp("20260230083005")).toBeNull();
    expect(parseCttTimeStamp("2026112108300")).toBeNull();
  });

  it("time_stamp is UTC yyyyMMddHHmmss", () => {
    expect(cttTimeStamp(new Date("2026-11-21T08:30:05Z"))).toBe("20261121083005");
  });

  it("the unconfirmed parts are settings (CTT.md): another time zone, terminal and signed string", () => {
    expect(cttTimeStamp(new Date("2026-11-21T20:30:05Z"), 480)).toBe("20261122043005");
    expect(cttSignBase(12345, "20261121083000", 2, "timestamp={timestamp}&random={random}&terminal={terminal}")).toBe(
      "timestamp=20261121083000&random=12345&terminal=2",
    );
    expect(cttSign("ctt-key", 12345, "20261121083000", 2)).not.toBe(cttSign("ctt-key", 12345, "20261121083000", 1));
  });
});
