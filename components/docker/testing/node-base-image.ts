/**
 * The Dockerfiles' base image (`node:<version>-bookworm-slim`) made locally, because no image can be pulled on these
 * machines: a Debian bookworm minimal root filesystem (debootstrap, from Debian's own mirror) with this process's
 * Node binary in /usr/local/bin, npm from the npm registry, the official image's `node` user (uid 1000), and the
 * machine's CA bundle (NODE_EXTRA_CA_CERTS), imported under the exact tag the Dockerfiles name. The Dockerfiles
 * themselves stay as users build them. The root filesystem is cached as a tarball between runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { DockerEngine } from "./engine.js";

/** The `FROM` images of a Dockerfile, in order (stage names dropped). */
export function fromImages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1]!);
}

/** `node:24.21.0-bookworm-slim` -> { version: "24.21.0", suite: "bookworm" }. */
export function parseNodeTag(image: string): { version: string; suite: string } | undefined {
  const m = /^node:(\d+\.\d+\.\d+)-([a-z]+)-slim$/.exec(image);
  return m === null ? undefined : { version: m[1]!, suite: m[2]! };
}

function cacheDir(): string {
  return process.env.MCP_FLEET_CACHE_DIR ?? join(homedir(), ".cache", "mcp-fleet", "docker");
}

/** Builds the root filesystem tarball (or takes the cached one); returns its path or why it cannot. */
function rootfsTarball(image: string): { tar: string; ca: boolean } | { skipped: string } {
  const tag = parseNodeTag(image);
  if (tag === undefined) return { skipped: `cannot make base image ${image} locally (only node:<x.y.z>-<suite>-slim)` };
  if (process.version !== `v${tag.version}`) return { skipped: `base image ${image} is made from this process's Node, which is ${process.version}` };
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const tar = join(cacheDir(), `${image.replace(/[:/]/g, "_")}.tar`);
  if (existsSync(tar)) return { tar, ca: ca !== undefined && existsSync(ca) };
  if (spawnSync("sh", ["-c", "command -v debootstrap"], { stdio: "ignore" }).status !== 0) {
    return { skipped: `making base image ${image} needs debootstrap (apt-get install -y debootstrap)` };
  }
  const work = mkdtempSync(join(tmpdir(), "mfd-rootfs-"));
  const rootfs = join(work, "rootfs");
  try {
    execFileSync("debootstrap", ["--variant=minbase", tag.suite, rootfs, "http://deb.debian.org/debian"], { stdio: "ignore", timeout: 600_000 });
    copyFileSync(process.execPath, join(rootfs, "usr/local/bin/node"));
    // npm as the official image has it: /usr/local/lib/node_modules/npm, linked from /usr/local/bin.
    const npmVersion = execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
    const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
    mkdirSync(npmDir, { recursive: true });
    const packed = execFileSync("npm", ["pack", `npm@${npmVersion}`, "--silent", "--pack-destination", work], { encoding: "utf8" }).trim().split("\n").at(-1)!;
    execFileSync("tar", ["-xzf", join(work, packed), "-C", npmDir, "--strip-components=1"]);
    symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr/local/bin/npm"));
    symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx"));
    appendFileSync(join(rootfs, "etc/passwd"), "node:x:1000:1000::/home/node:/bin/bash\n");
    appendFileSync(join(rootfs, "etc/group"), "node:x:1000:\n");
    appendFileSync(join(rootfs, "etc/shadow"), "node:*:20000:0:99999:7:::\n");
    mkdirSync(join(rootfs, "home/node"), { recursive: true });
    execFileSync("chown", ["1000:1000", join(rootfs, "home/node")]);
    // The machine's trust (a TLS-inspecting proxy in front of the registry, say), so `npm ci` works in the build.
    if (ca !== undefined && existsSync(ca)) {
      mkdirSync(join(rootfs, "etc/ssl/certs"), { recursive: true });
      copyFileSync(ca, join(rootfs, "etc/ssl/certs/ca-certificates.crt"));
    }
    rmSync(join(rootfs, "var/cache/apt/archives"), { recursive: true, force: true });
    rmSync(join(rootfs, "var/lib/apt/lists"), { recursive: true, force: true });
    mkdirSync(cacheDir(), { recursive: true });
    execFileSync("tar", ["-C", rootfs, "-cf", `${tar}.partial`, "."]);
    execFileSync("mv", [`${tar}.partial`, tar]);
    return { tar, ca: ca !== undefined && existsSync(ca) };
  } catch (error) {
    return { skipped: `making base image ${image} failed: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Provides `image` in the engine unless it is there; resolves with why not when it cannot. */
export async function ensureNodeBaseImage(engine: DockerEngine, image: string): Promise<{ ok: true } | { skipped: string }> {
  if ((await engine.docker(["image", "inspect", image], { allowFailure: true })).code === 0) return { ok: true };
  const made = rootfsTarball(image);
  if ("skipped" in made) return made;
  const changes = ["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 'CMD ["node"]'];
  if (made.ca) changes.push("ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt");
  await engine.docker(["import", ...changes.flatMap((c) => ["--change", c]), made.tar, image], { timeoutMs: 300_000 });
  return { ok: true };
}

/** Every distinct base image of the given Dockerfiles. */
export function baseImagesOf(files: readonly string[]): string[] {
  return [...new Set(files.flatMap((f) => fromImages(readFileSync(f, "utf8"))))];
}
