/** API keys: verified by hash against every configured key; a remembered key compared in constant time. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiKeys, sameSecret } from "../src/auth/api-keys.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

describe("ApiKeys", () => {
  const keys = new ApiKeys([
    { name: "alice", sha256: sha256("alice-key"), roles: ["support"], scopes: [] },
    { name: "bob", sha256: sha256("bob-key"), roles: ["billing"], scopes: [] },
  ]);

  it("gives each configured key its own principal, and an unknown key none", () => {
    expect(keys.verify("alice-key")?.id).toBe("apikey:alice");
    expect(keys.verify("bob-key")?.id).toBe("apikey:bob");
    expect(keys.verify("alice-key ")).toBeUndefined();
    expect(keys.verify("")).toBeUndefined();
  });
});

describe("sameSecret", () => {
  it("is true only for the same text", () => {
    expect(sameSecret("Bearer abc", "Bearer abc")).toBe(true);
    expect(sameSecret("Bearer abc", "Bearer abd")).toBe(false);
    expect(sameSecret("Bearer abc", "Bearer ab")).toBe(false);
    expect(sameSecret("Bearer ab", "Bearer abc")).toBe(false);
    expect(sameSecret("Bearer abc", "")).toBe(false);
    expect(sameSecret("", "")).toBe(true);
  });
});
