/**
 * `mcp-fleet call <tool> [key=value ...] [--args JSON]`: one `tools/call` through a running gateway with the SDK v1
 * client. Prints the result readably (or as JSON), shows the tool's progress on stderr while it runs, and exits 1
 * when the tool reports an error (`isError`) or the gateway refuses the call (e.g. an unknown tool), with the
 * gateway's own message. Ctrl-C cancels the call (`notifications/cancelled`).
 */
import type { Command } from "commander";
import { McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { CliError } from "../errors.js";
import { renderCallResult } from "../format/call-result.js";
import { progressView } from "../format/progress.js";
import { styleFor } from "../format/style.js";
import { connectGateway, listAllTools, resolveGatewayTarget, TOKEN_ENV, URL_ENV } from "../gateway-client.js";
import { buildArguments } from "../tools/call-args.js";

interface CallOptions {
  args?: string;
  url?: string;
  json?: boolean;
  timeout: string;
}

export function register(program: Command): void {
  program
    .command("call")
    .description("Call one tool through the running gateway and print its result; exit 1 on a tool error")
    .argument("<tool>", "the tool's exposed name, as `mcp-fleet tools` lists it (e.g. everything__echo)")
    .argument("[arguments...]", "key=value arguments, read by the tool's input schema (a=1 is a number when `a` is one)")
    .option("--args <json>", "arguments as one JSON object (key=value words override its keys)")
    .option("--url <url>", `the gateway's MCP endpoint (default: $${URL_ENV}, else http://127.0.0.1:$PORT/mcp, PORT=8080); credentials from $${TOKEN_ENV}`)
    .option("--json", "print the whole result as JSON")
    .option("--timeout <seconds>", "give up when the tool is silent this long (progress restarts the clock)", "60")
    .action(async (tool: string, words: string[], options: CallOptions) => {
      process.exitCode = await call(tool, words, options);
    });
}

async function call(name: string, words: readonly string[], options: CallOptions): Promise<number> {
  const timeoutMs = Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${JSON.stringify(options.timeout)} is not a number of seconds. Use e.g. --timeout 60.`);
  const { url } = resolveGatewayTarget(options.url);
  const client = await connectGateway(url);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("cancelled (Ctrl-C)"));
  process.once("SIGINT", onSigint);
  const progress = progressView(process.stderr);
  try {
    // The schema reads key=value words; the list also primes the client's output-schema validation.
    const tool = (await listAllTools(client)).find((t) => t.name === name);
    const args = buildArguments(options.args, words, tool);
    let result: CallToolResult;
    try {
      result = (await client.callTool({ name, arguments: args }, undefined, {
        onprogress: (p) => progress.update(p),
        resetTimeoutOnProgress: true,
        timeout: timeoutMs,
        signal: abort.signal,
      })) as CallToolResult;
    } catch (error) {
      progress.done();
      if (abort.signal.aborted) throw new CliError(`call of ${name} cancelled.`, 130);
      if (error instanceof McpError) throw new CliError(`the gateway refused the call of ${name}: ${error.message}`);
      throw new CliError(`the call of ${name} failed: ${(error as Error).message}`);
    }
    progress.done();
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (result.isError === true) {
      process.stderr.write(`${styleFor(process.stderr).fail(`${name} returned a tool error:`)}\n${renderCallResult(result)}\n`);
    } else {
      process.stdout.write(`${renderCallResult(result)}\n`);
    }
    return result.isError === true ? 1 : 0;
  } finally {
    process.removeListener("SIGINT", onSigint);
    await client.close().catch(() => undefined);
  }
}
