#!/usr/bin/env node
// Runs the gateway from its TypeScript sources, compiled as they load (typescript-hooks.js; no build step).
import "./typescript-hooks.js";

await import("../src/main.ts");
