/**
 * A supplier's text (a reply, a webhook) as the `charset` of its Content-Type says. The
 * suppliers document UTF-8 JSON, and UTF-8 is read when no charset is given; but a server that
 * says `charset=GBK` and writes GBK must not be read as UTF-8: "取消失败" came out as
 * "ȡ��ʧ��", and a refused cancel was reported as done (black-box probe, thirtieth session).
 * A charset Node cannot decode is read as UTF-8 if it is that, and otherwise makes the text
 * unreadable (`UnknownCharset`). A byte order mark at the start is dropped, as RFC 8259 §8.1
 * allows a parser to.
 */

import { isAscii, isUtf8 } from "node:buffer";

/**
 * The charsets the Content-Type names, lower case, without quotes, Windows' names read as the
 * Encoding Standard's, each once (a header may repeat the parameter).
 */
function charsetsOf(contentType: string | null | undefined): string[] {
  const named = new Set<string>();
  for (const m of (contentType ?? "").matchAll(/;\s*charset\s*=\s*"?([^";\s]+)"?/gi)) {
    const name = m[1].toLowerCase();
    named.add(UTF8.has(name) ? "utf-8" : (ALIASES[name] ?? name));
  }
  return [...named];
}

/** Text that cannot be read: a charset that cannot be decoded here, or bytes that are not in their charset. */
class UndecodableText extends Error {}

const UTF8 = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "utf8mb4"]);
/** Windows' and MySQL's names of charsets the Encoding Standard knows by another. */
const ALIASES: Readonly<Record<string, string>> = { cp936: "gbk", ms936: "gbk", "windows-936": "gbk" };
/** Byte order marks are kept by the decoders and dropped once, at the end (two are not JSON). */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A decoder of `charset` (fatal: invalid bytes throw), or undefined when the Encoding Standard does not know it. */
function decoderOf(charset: string, fatal: boolean): TextDecoder | undefined {
  try {
    return new TextDecoder(charset, { fatal, ignoreBOM: true });
  } catch {
    return undefined;
  }
}

/** Whether `bytes` hold a byte over 0x7F and are all valid UTF-8. */
function isNonAsciiUtf8(bytes: Buffer): boolean {
  return !isAscii(bytes) && isUtf8(bytes);
}

/**
 * `bytes` as text, in the Content-Type's charset (UTF-8 by default). A charset Node does not
 * know is read as UTF-8 when the bytes are valid UTF-8 (JSON is UTF-8 in practice, and RFC 8259
 * gives `application/json` no charset); otherwise, strictly, UndecodableText is thrown.
 *
 * `strict` (a supplier's reply): bytes that are not valid in their charset throw UndecodableText
 * too, instead of being read with U+FFFD in their place. GBK bytes sent with no charset came out
 * as "ȡ��ʧ��" where "取消失败" (cancel failed) was written, and the refused cancel was reported
 * as done (property-based probe, thirty-second session): a reply the gateway cannot read decides
 * nothing. So does one whose charset cannot be told: a Content-Type naming two charsets, or
 * naming another than UTF-8 for non-ASCII bytes that are valid UTF-8 (the suppliers' documented
 * charset). UTF-8 Chinese is mostly valid GBK, and every byte is valid ISO-8859-1: 取消失败 in
 * UTF-8 sent as `charset=iso-8859-1`, or `charset=gbk;charset=utf-8`, was read as noise and a
 * refused cancel reported as done (black-box probe, thirty-third session). Text in a real GBK or
 * ISO-8859-1 is almost never valid UTF-8 as well; when it is, the reply is unreadable.
 *
 * A webhook is read leniently (refused, it would be lost; src/server/webhooks.ts): in those cases
 * it is read as UTF-8 where it is that, and otherwise in the first charset named, or as UTF-8
 * with U+FFFD for bytes not valid in it.
 */
export function decodeText(bytes: Buffer, contentType: string | null | undefined, strict = false): string {
  const named = charsetsOf(contentType);
  if (strict && named.length > 1)
    throw new UndecodableText(`the Content-Type names ${named.length} charsets (${named.map((c) => c.slice(0, 40)).join(", ")})`);
  // Leniently, the first charset named: inCharset reads UTF-8 bytes as UTF-8 whatever it names.
  const charset = named[0];
  const text = charset === undefined || charset === "utf-8" ? utf8(bytes, charset, strict) : inCharset(bytes, charset, strict);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `bytes` in `charset`, not UTF-8 (see decodeText). */
function inCharset(bytes: Buffer, charset: string, strict: boolean): string {
  const decoder = decoderOf(charset, strict);
  if (!decoder) {
    if (!strict) return bytes.toString("utf8");
    try {
      return STRICT_UTF8.decode(bytes);
    } catch {
      throw new UndecodableText(`the charset "${charset.slice(0, 40)}" cannot be decoded, and the text is not UTF-8`);
    }
  }
  if (isNonAsciiUtf8(bytes)) {
    if (!strict) return STRICT_UTF8.decode(bytes);
    throw new UndecodableText(`the text is valid UTF-8, but its Content-Type names ${charset.slice(0, 40)}: which it is cannot be told`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new UndecodableText(`the text is not valid ${charset.slice(0, 40)}`);
  }
}

/** `bytes` as UTF-8, refusing invalid bytes when `strict`; `charset` is what the Content-Type named, if anything. */
function utf8(bytes: Buffer, charset: string | undefined, strict: boolean): string {
  if (!strict) return bytes.toString("utf8");
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new UndecodableText(
      charset ? "the text is not valid UTF-8" : "the text is not valid UTF-8, and its Content-Type names no charset",
    );
  }
}
