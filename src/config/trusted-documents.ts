/** Trusted documents: which operation manifests are loaded and how strictly they are enforced (issue 21, item 4). */
import { z } from "zod";
import { commaList, ConfigError, concern, variable } from "../config-kit.js";
import type { TrustedDocumentsPolicy } from "../server/trusted-documents.js";
import { TRUSTED_DOCUMENTS_MODES, type TrustedDocumentsMode } from "../trusted-documents/decide.js";
import { ManifestError, TrustedDocuments } from "../trusted-documents/manifest.js";

export const TRUSTED_DOCUMENTS = concern(
  {
    paths: variable({
      name: "TRUSTED_DOCUMENTS",
      schema: commaList,
      description: "Comma-separated paths of operation manifests (Apollo persisted query manifest format), one per app release in use",
    }),
    mode: variable({
      name: "TRUSTED_DOCUMENTS_MODE",
      default: "allow",
      schema: z.enum(TRUSTED_DOCUMENTS_MODES as unknown as [TrustedDocumentsMode, ...TrustedDocumentsMode[]], {
        message: "must be off, allow or safelist",
      }),
      description:
        "off, allow (manifest ids resolve; other documents and APQ too) or safelist (only manifest documents, except for credentials with the documents:any scope)",
    }),
  },
  /** Loads the manifests for the mode; undefined: none loaded (or mode off). A bad manifest names its file. */
  ({ paths, mode }): TrustedDocumentsPolicy | undefined => {
    if (mode === "safelist" && !paths?.length)
      throw new ConfigError("TRUSTED_DOCUMENTS", "safelist mode needs at least one operation manifest");
    if (mode === "off" || !paths?.length) return undefined;
    try {
      return { mode, documents: TrustedDocuments.load(paths) };
    } catch (err) {
      if (err instanceof ManifestError) throw new ConfigError("TRUSTED_DOCUMENTS", err.message);
      throw err;
    }
  },
);
