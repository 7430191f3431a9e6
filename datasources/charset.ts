/**
 * A supplier's text (a reply, a webhook) as the `charset` of its Content-Type says. The
 * suppliers document UTF-8 JSON, and UTF-8 is read when no charset is given; but a server that
 * says `charset=GBK` and writes GBK must not be read as UTF-8: "取消失败" came out as
 * "ȡ��ʧ��", and a refused cancel was reported as done (black-box probe, thirtieth session).
 * A charset Node cannot decode is read as UTF-8 if it is that, and otherwise makes the text
 * unreadable (`UnknownCharset`). A byte order mark at the start is dropped, as RFC 8259 §8.1
 * allows a parser to.
 */

/** The Content-Type's charset, lower case, without quotes; undefined when there is none. */
function charsetOf(contentType: string | null | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return m?.[1].toLowerCase();
}

/** Text that cannot be read: a charset that cannot be decoded here, or bytes that are not in their charset. */
class UndecodableText extends Error {}

const UTF8 = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "utf8mb4"]);
/** Windows' and MySQL's names of charsets the Encoding Standard knows by another. */
const ALIASES: Readonly<Record<string, string>> = { cp936: "gbk", ms936: "gbk", "windows-936": "gbk" };
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A decoder of `charset` (fatal: invalid bytes throw), or undefined when the Encoding Standard does not know it. */
function decoderOf(charset: string, fatal: boolean): TextDecoder | undefined {
  try {
    return new TextDecoder(charset, { fatal });
  } catch {
    return undefined;
  }
}

/**
 * `bytes` as text, in the Content-Type's charset (UTF-8 by default). A charset Node does not
 * know is read as UTF-8 when the bytes are valid UTF-8 (JSON is UTF-8 in practice, and RFC 8259
 * gives `application/json` no charset); otherwise UndecodableText is thrown.
 *
 * `strict` (a supplier's reply): bytes that are not valid in their charset throw UndecodableText
 * too, instead of being read with U+FFFD in their place. GBK bytes sent with no charset came out
 * as "ȡ��ʧ��" where "取消失败" (cancel failed) was written, and the refused cancel was reported
 * as done (property-based probe, thirty-second session): a reply the gateway cannot read decides
 * nothing. A webhook is read leniently: refused, it would be lost (src/server/webhooks.ts).
 */
export function decodeText(bytes: Buffer, contentType: string | null | undefined, strict = false): string {
  const named = charsetOf(contentType);
  const charset = named === undefined ? undefined : (ALIASES[named] ?? named);
  let text: string;
  if (charset === undefined || UTF8.has(charset)) text = strict ? strictUtf8(bytes, charset) : bytes.toString("utf8");
  else {
    const decoder = decoderOf(charset, strict);
    if (decoder) {
      try {
        text = decoder.decode(bytes);
      } catch {
        throw new UndecodableText(`the text is not valid ${charset.slice(0, 40)}`);
      }
    } else {
      try {
        text = STRICT_UTF8.decode(bytes);
      } catch {
        throw new UndecodableText(`the charset "${charset.slice(0, 40)}" cannot be decoded, and the text is not UTF-8`);
      }
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `bytes` as UTF-8, refusing invalid bytes; `charset` is what the Content-Type named, if anything. */
function strictUtf8(bytes: Buffer, charset: string | undefined): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new UndecodableText(
      charset ? "the text is not valid UTF-8" : "the text is not valid UTF-8, and its Content-Type names no charset",
    );
  }
}
