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

/** A charset the text's Content-Type names that cannot be decoded here. */
class UnknownCharset extends Error {}

const UTF8 = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "utf8mb4"]);
/** Windows' and MySQL's names of charsets the Encoding Standard knows by another. */
const ALIASES: Readonly<Record<string, string>> = { cp936: "gbk", ms936: "gbk", "windows-936": "gbk" };
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * `bytes` as text, in the Content-Type's charset (UTF-8 by default). A charset Node does not
 * know is read as UTF-8 when the bytes are valid UTF-8 (JSON is UTF-8 in practice, and RFC 8259
 * gives `application/json` no charset); otherwise UnknownCharset is thrown.
 */
export function decodeText(bytes: Buffer, contentType: string | null | undefined): string {
  const named = charsetOf(contentType);
  const charset = named === undefined ? undefined : (ALIASES[named] ?? named);
  let text: string;
  if (charset === undefined || UTF8.has(charset)) text = bytes.toString("utf8");
  else {
    let decoder: TextDecoder | undefined;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      decoder = undefined;
    }
    if (decoder) text = decoder.decode(bytes);
    else {
      try {
        text = STRICT_UTF8.decode(bytes);
      } catch {
        throw new UnknownCharset(`the charset "${charset.slice(0, 40)}" cannot be decoded, and the text is not UTF-8`);
      }
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
