/**
 * `npm run env:example`: writes .env.example and the configuration table of docs/configuration.md from the
 * configuration rows (a test keeps them in step).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { envExample, withConfigTable } from "./config-docs.js";
import { VARIABLES } from "./config/index.js";

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));
writeFileSync(root(".env.example"), envExample(VARIABLES));
writeFileSync(root("docs/configuration.md"), withConfigTable(readFileSync(root("docs/configuration.md"), "utf8"), VARIABLES));
