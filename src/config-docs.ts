/**
 * What the configuration rows (src/config/, each tracked kind, each supplier's descriptor) write besides
 * `--help`: `.env.example` and the configuration table of docs/configuration.md (issue 17, item 2). A test
 * checks both files against the rows, so none of them can drift.
 */
import type { VariableSpec } from "./config-kit.js";

/** The text of `.env.example`. */
export function envExample(variables: readonly VariableSpec[]): string {
  const lines = [
    "# Every configuration variable of the gateway, with its default. Set them in the environment.",
    "# Unset supplier URLs mean: use the embedded simulator.",
    "",
  ];
  for (const v of variables)
    lines.push(`# ${v.description}${v.secret ? " (secret: never logged)" : ""}`, `# ${v.name}=${v.default ?? ""}`, "");
  return lines.join("\n");
}

/** The markers around the generated table in docs/configuration.md. */
const CONFIG_TABLE = {
  start:
    "<!-- configuration table: written by npm run env:example from the rows in src/config/, the tracked kinds and the supplier descriptors -->",
  end: "<!-- end of configuration table -->",
};

/** The configuration table (markdown), one row per variable. */
function configTable(variables: readonly VariableSpec[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return [
    "| variable | default | meaning |",
    "|---|---|---|",
    ...variables.map(
      (v) =>
        `| \`${v.name}\` | ${v.default === undefined ? "—" : `\`${cell(v.default)}\``} | ${cell(v.description)}${v.secret ? " (secret: never logged)" : ""} |`,
    ),
  ].join("\n");
}

/** `doc` (docs/configuration.md) with its generated table replaced by the one for `variables`. */
export function withConfigTable(doc: string, variables: readonly VariableSpec[]): string {
  const start = doc.indexOf(CONFIG_TABLE.start);
  const end = doc.indexOf(CONFIG_TABLE.end);
  if (start < 0 || end < start) throw new Error("docs/configuration.md has no configuration table markers");
  return `${doc.slice(0, start + CONFIG_TABLE.start.length)}\n${configTable(variables)}\n${doc.slice(end)}`;
}
