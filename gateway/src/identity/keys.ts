/**
 * The gateway's signing keys for identity tokens, from the environment variable `identity.signingKeyEnv` names: a
 * private JWK, a JWK Set (the first key signs; every key is published, so a new key can sign while backends still
 * hold tokens of the old one), or a PKCS#8 PEM. Ed25519 signs EdDSA, P-256 signs ES256; nothing else is accepted.
 * Errors name the variable and the fix, never the value.
 */
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";

export type SigningAlgorithm = "EdDSA" | "ES256";

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  /** What the JWKS publishes: the public half, with `kid`, `alg` and `use`. */
  readonly publicJwk: Readonly<Record<string, string>>;
}

/** RFC 7638 thumbprint of a public OKP or EC key: its `kid` unless the JWK names one. */
function thumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === "OKP" ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash("sha256").update(JSON.stringify(members)).digest("base64url");
}

function signingKey(privateKey: KeyObject, kid: string | undefined, where: string): SigningKey {
  if (privateKey.type !== "private") throw new Error(`${where} is a public key. Give the gateway the private key (the JWKS publishes its public half).`);
  const pub = createPublicKey(privateKey).export({ format: "jwk" });
  let alg: SigningAlgorithm;
  if (pub.kty === "OKP" && pub.crv === "Ed25519") alg = "EdDSA";
  else if (pub.kty === "EC" && pub.crv === "P-256") alg = "ES256";
  else throw new Error(`${where} is a key of type ${String(pub.kty)}${pub.crv !== undefined ? ` ${pub.crv}` : ""}. Use an Ed25519 (EdDSA) or P-256 (ES256) key, e.g. \`openssl genpkey -algorithm ed25519\`.`);
  const id = kid ?? thumbprint(pub);
  const publicJwk: Record<string, string> = { kty: pub.kty, crv: pub.crv!, x: pub.x! };
  if (pub.y !== undefined) publicJwk.y = pub.y;
  Object.assign(publicJwk, { kid: id, alg, use: "sig" });
  return Object.freeze({ kid: id, alg, privateKey, publicJwk: Object.freeze(publicJwk) });
}

/** The keys in the variable `name`, the signing one first. */
export function loadSigningKeys(name: string, env: NodeJS.ProcessEnv = process.env): SigningKey[] {
  const text = env[name]?.trim();
  const what = `identity.signingKeyEnv: ${name}`;
  if (text === undefined || text === "") throw new Error(`identity.signingKeyEnv names ${name}, which is unset. Set it to the gateway's private signing key (an Ed25519 or P-256 JWK, or a PKCS#8 PEM).`);
  if (text.startsWith("-----BEGIN")) {
    try {
      return [signingKey(createPrivateKey({ key: text, format: "pem" }), undefined, what)];
    } catch (error) {
      throw new Error(/Use an Ed25519|public key/.test((error as Error).message) ? (error as Error).message : `${what} is not a PKCS#8 PEM private key. Set it to an Ed25519 or P-256 key, e.g. the output of \`openssl genpkey -algorithm ed25519\`.`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is neither a PEM key nor JSON. Set it to a private JWK, a JWK Set, or a PKCS#8 PEM.`);
  }
  const jwks = typeof parsed === "object" && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys) ? ((parsed as { keys: unknown[] }).keys) : [parsed];
  if (jwks.length === 0) throw new Error(`${what} is a JWK Set without keys. Add the signing key.`);
  return jwks.map((jwk, i) => {
    const where = jwks.length > 1 || jwk !== parsed ? `${what} keys[${i}]` : what;
    if (typeof jwk !== "object" || jwk === null) throw new Error(`${where} is not a JWK object.`);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
    } catch {
      throw new Error(`${where} is not a private JWK (it needs "d"). Set it to an Ed25519 or P-256 private JWK.`);
    }
    const kid = (jwk as { kid?: unknown }).kid;
    return signingKey(key, typeof kid === "string" && kid !== "" ? kid : undefined, where);
  });
}

/** The JWKS document of the keys (public halves only). */
export function jwksOf(keys: readonly SigningKey[]): { keys: Record<string, string>[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}
