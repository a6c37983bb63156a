// Entry point the Pulumi policy host loads (`run-policy-pack` requires the pack's `main`): registers tsx so the
// TypeScript pack (ES modules, NodeNext `.js` imports) loads without a build step, then starts it.
import { register } from "tsx/esm/api";

register();
export const pack = import("./index.ts");
