/**
 * The client's address, for per-client limits before authentication: the socket's peer, or, when that peer is a
 * trusted proxy (`http.trustedProxies`), the last address of `X-Forwarded-For` that is not a trusted proxy itself.
 */
import { BlockList, isIP } from "node:net";

export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(trustedProxies: readonly string[]) {
    for (const entry of trustedProxies) {
      const [address, bits] = entry.split("/") as [string, string | undefined];
      const type = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) this.trusted.addAddress(address, type);
      else this.trusted.addSubnet(address, Number(bits), type);
    }
    this.any = trustedProxies.length > 0;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 6 ? "ipv6" : "ipv4");
  }

  /** The client address of a request that came from `peer` with these headers. */
  of(peer: string, headers: Readonly<Record<string, string | undefined>>): string {
    const address = unmapped(peer);
    if (!this.any || !this.isTrusted(address)) return address;
    const forwarded = headers["x-forwarded-for"];
    if (forwarded === undefined) return address;
    const hops = forwarded.split(",").map((h) => unmapped(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) return address; // garbage in the header: believe only the peer
      if (!this.isTrusted(hop)) return hop;
    }
    return hops[0] ?? address;
  }
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
