// Outbound requests to addresses a customer chose (webhook URLs, push endpoints) must not reach
// our own network: a URL that resolves to loopback, link-local (cloud metadata at 169.254.169.254),
// private or otherwise special addresses is refused (server-side request forgery). The check runs
// where the connection is made (`publicOnlyLookup`), so a name that resolves to a public address
// when it is registered and to 127.0.0.1 when it is called (DNS rebinding) is refused too.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (private)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** True only for a syntactically valid unicast address on the public internet. */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !blocked.check(ip, "ipv4");
  if (family !== 6) return false;
  const v4 = embeddedIpv4(ip);
  if (v4 !== null) return isIP(v4) === 4 && !blocked.check(v4, "ipv4");
  // Anything else in ::/96 (IPv4-compatible, deprecated) is not a real public address either.
  if (/^::[0-9a-f.:]*$/i.test(ip)) return false;
  return !blocked.check(ip, "ipv6");
}

export type OutboundUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Whether a customer-supplied URL may be called at all. In production: https only, and a literal
 * address must be public (names are checked at connection time by `publicOnlyLookup`). Outside
 * production plain http and local addresses are allowed, so a developer's receiver on localhost works.
 */
export function checkOutboundUrl(raw: string, opts: { production: boolean }): OutboundUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a valid URL" };
  }
  if (url.protocol !== "https:" && (opts.production || url.protocol !== "http:"))
    return { ok: false, reason: opts.production ? "must be an https:// URL" : "must be an http:// or https:// URL" };
  if (url.username || url.password) return { ok: false, reason: "must not contain a user name or password" };
  if (raw.length > 2048) return { ok: false, reason: "is too long" };
  if (opts.production) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) && !isPublicAddress(host)) return { ok: false, reason: "points to a non-public address" };
    if (host === "localhost" || host.endsWith(".localhost") || !host.includes("."))
      return { ok: false, reason: "points to a non-public address" };
  }
  return { ok: true, url };
}

export class NonPublicAddressError extends Error {
  readonly code = "ENONPUBLIC";
  constructor(hostname: string) {
    super(`${hostname} resolves to a non-public address`);
    this.name = "NonPublicAddressError";
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A drop-in `lookup` for http(s).request / net.connect that resolves as usual and then refuses
 * the connection if any resolved address is not public. Every address is checked, not only the
 * first, so a name with one public and one private record cannot be used to reach the private one.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => !isPublicAddress(a.address)))
      return callback(new NonPublicAddressError(hostname), []);
    if (options.all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
}

/** For registration time: does this URL's host resolve only to public addresses? */
export async function resolvesToPublicAddresses(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPublicAddress(host);
  return new Promise((resolve) => publicOnlyLookup(host, { all: true }, (err) => resolve(err === null)));
}
