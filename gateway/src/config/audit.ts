/** The audit log (`audit:`): one hash-chained JSON line per tools/call, resources/read and prompts/get. */
import { z } from "zod";
import { ENV_NAME } from "./names.js";

export const AuditSchema = z
  .object({
    /** File the records are appended to (JSON lines); unset: no audit log. @default undefined */
    file: z.string().min(1).optional(),
    /** Argument fields recorded with a call (`arguments.<field>`); none by default, since arguments may hold personal data. @default [] */
    arguments: z.array(z.string().min(1)).default([]),
    /** Environment variable holding a key: the chain is then HMAC-SHA256, which nobody without the key can recompute after an edit. @default undefined (SHA-256) */
    keyFromEnv: z.string().regex(ENV_NAME, "must be an environment variable name").optional(),
  })
  .strict()
  .prefault({});

export type AuditConfig = z.output<typeof AuditSchema>;
