/**
 * A supplier's text (a reply, a webhook) as the `charset` of its Content-Type says. The
 * suppliers document UTF-8 JSON, and UTF-8 is read when no charset is given; but a server that
 * says `charset=GBK` and writes GBK must not be read as UTF-8: "取消失败" came out as
 * "ȡ��ʧ��", and a refused cancel was reported as done (black-box probe, thirtieth session).
 * A charset Node cannot decode makes the text unreadable (`UnknownCharset`). A byte order mark
 * at the start is dropped, as RFC 8259 §8.1 allows a parser to.
 */

/** The Content-Type's charset, lower case, without quotes; undefined when there is none. */
function charsetOf(contentType: string | null | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return m?.[1].toLowerCase();
}

/** A charset the text's Content-Type names that cannot be decoded here. */
class UnknownCharset extends Error {}

const UTF8 = new Set(["utf-8", "utf8", "unicode-1-1-utf-8"]);

/** `bytes` as text, in the Content-Type's charset (UTF-8 by default); throws UnknownCharset. */
export function decodeText(bytes: Buffer, contentType: string | null | undefined): string {
  const charset = charsetOf(contentType);
  let text: string;
  if (charset === undefined || UTF8.has(charset)) text = bytes.toString("utf8");
  else {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      throw new UnknownCharset(`the charset "${charset.slice(0, 40)}" cannot be decoded`);
    }
    text = decoder.decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
