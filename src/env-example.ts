/** `npm run env:example`: writes .env.example from the configuration table (a test keeps them in step). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VARIABLES } from "./config.js";

const lines = ["# Every configuration variable of the gateway, with its default. Set them in the environment.", "# Unset supplier URLs mean: use the embedded simulator.", ""];
for (const v of VARIABLES) lines.push(`# ${v.description}${v.secret ? " (secret: never logged)" : ""}`, `# ${v.name}=${v.default ?? ""}`, "");
writeFileSync(fileURLToPath(new URL("../../.env.example", import.meta.url)), lines.join("\n"));
