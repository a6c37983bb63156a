// The gateway's own TypeScript loader: its `src/**/*.ts` modules compiled by esbuild as they load (no build step),
// with source maps, so stack traces name the .ts lines. Unlike tsx, no `keepNames`: that option wraps every named
// closure in a helper that redefines its `name` each time it is created, a cost on every request of a gateway
// whose request path creates closures per call (and nothing needs it: nothing here is minified, so names stay).
// Synchronous in-thread hooks (node:module registerHooks, Node 24): `.js` specifiers of a TypeScript module that
// exist only as `.ts` resolve to the `.ts` file, as tsc's NodeNext resolution reads them.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync, version as esbuildVersion } from "esbuild";

const TS = /\.(?:c|m)?ts$/;
const OPTIONS = { loader: "ts", format: "esm", target: "node24", sourcemap: "inline" };

// Compiled modules are kept by content in a cache directory (MCP_FLEET_GATEWAY_CACHE, else under the temporary
// directory): a restart compiles nothing it compiled before. It is used only when this user owns it and nobody
// else may write to it (what it holds is run); a directory that cannot be made or written (a read-only
// filesystem) only means compiling at every start.
const cacheDir = process.env.MCP_FLEET_GATEWAY_CACHE ?? join(tmpdir(), `mcp-fleet-gateway-${userInfo().uid}`);
const cacheUsable = (() => {
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const stat = statSync(cacheDir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
})();
let cacheWritable = cacheUsable;

function compile(file) {
  const source = readFileSync(file, "utf8");
  const key = createHash("sha256").update(`${esbuildVersion}\0${JSON.stringify(OPTIONS)}\0${file}\0${source}`).digest("hex");
  const cached = join(cacheDir, `${key}.mjs`);
  if (cacheUsable) {
    try {
      return readFileSync(cached, "utf8");
    } catch {
      // not compiled yet
    }
  }
  const { code } = transformSync(source, { ...OPTIONS, sourcefile: file });
  if (cacheWritable) {
    try {
      const partial = `${cached}.${process.pid}`;
      writeFileSync(partial, code, { mode: 0o600 });
      renameSync(partial, cached);
    } catch {
      cacheWritable = false;
    }
  }
  return code;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fromTs = context.parentURL !== undefined && TS.test(context.parentURL);
    if (fromTs && (specifier.startsWith("./") || specifier.startsWith("../")) && specifier.endsWith(".js")) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith("file:") || !TS.test(url)) return nextLoad(url, context);
    return { format: "module", source: compile(fileURLToPath(url)), shortCircuit: true };
  },
});
process.setSourceMapsEnabled(true);
