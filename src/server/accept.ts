/** Reading an Accept header: its media ranges, with their parameters and weight. */

/** One media range: its type, its parameters (names lower-cased, values unquoted) and its `q` (1 when absent). */
export interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function mediaRange(range: string): MediaRange {
  const [type = "", ...rest] = range.split(";");
  const params = new Map<string, string>();
  for (const p of rest) {
    const at = p.indexOf("=");
    if (at < 0) continue;
    params.set(
      p.slice(0, at).trim().toLowerCase(),
      p
        .slice(at + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  const q = params.get("q");
  return { type: type.trim().toLowerCase(), params, q: q === undefined ? 1 : Number(q) };
}

/** The header's media ranges, in the order the client listed them. */
export function mediaRanges(accept: string): MediaRange[] {
  return accept.split(",").map(mediaRange);
}
