/** The benchmark's identity provider: an RS256 key, its JWKS over HTTP on 127.0.0.1, and tokens for a resource. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair } from "jose";

export interface IdentityProvider {
  issuer: string;
  jwksUri: string;
  /** A token for `resource`, valid for an hour. */
  token(resource: string): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => {
    const body = JSON.stringify({ keys: [jwk] });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/`;
  return {
    issuer,
    jwksUri: `${origin}/jwks`,
    token: (resource) =>
      new SignJWT({ sub: "bench", roles: ["bench"] })
        .setProtectedHeader({ alg: "RS256", kid: "bench" })
        .setIssuer(issuer)
        .setAudience(resource)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
