// Is this address on the public internet? Used before the server connects anywhere a patient
// (or anyone) chose, e.g. a web push endpoint: a URL pointing at 127.0.0.1, the cloud metadata
// service or the clinic's internal network would turn our server into the attacker's proxy (SSRF).
//
// `isPublicAddress(ip)` for one resolved address; `assertPublicUrl(url)` for a push endpoint
// (syntax, host name, and with `resolve` every address DNS gives for it); `checkOutboundUrl` and
// `publicOnlyLookup` for webhooks (lib/webhooks), where the check runs at connection time so DNS
// rebinding is refused too. (Merged from the security and webhooks branches: one address check.)
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

// Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries): none of them is a public host.
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
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
  ["::", 96], // IPv4-compatible (deprecated)
  ["64:ff9b::", 96], // NAT64: may reach an internal IPv4 address
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments (Teredo, ORCHID…)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: embeds an IPv4 address
  ["fc00::", 7], // unique local (ULA)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

/** An IPv4 address written inside IPv6 (::ffff:a.b.c.d or ::ffff:xxxx:xxxx), as dotted IPv4. */
function mappedIpv4(ip: string): string | null {
  const m = /^::ffff:(?:0:)?(.+)$/i.exec(ip);
  if (!m) return null;
  const rest = m[1]!;
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True only for a syntactically valid IP address outside every special-purpose range. */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return !blocked.check(bare, "ipv4");
  if (family !== 6) return false;
  if (bare.includes("%")) return false; // a zone id means link-local
  const v4 = mappedIpv4(bare);
  if (v4) return isPublicAddress(v4);
  return !blocked.check(bare, "ipv6");
}

export class NotPublicUrlError extends Error {
  constructor(reason: string) {
    super(`not a public https URL: ${reason}`);
    this.name = "NotPublicUrlError";
  }
}

/** Names that are never public, whatever DNS says today. */
const LOCAL_NAMES =
  /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|home\.arpa|invalid|test|example)$/i;

/**
 * Refuses (throws NotPublicUrlError) anything but an https URL of a public host: control characters
 * (the URL parser would silently drop a CR/LF), credentials, IP literals in special ranges, local
 * names, and with `resolve` any name whose DNS answer includes a non-public address.
 */
export async function assertPublicUrl(
  raw: string,
  options: { resolve?: boolean; lookupAll?: (host: string) => Promise<string[]> } = {},
): Promise<URL> {
  if (typeof raw !== "string" || raw.length > 2048) throw new NotPublicUrlError("not a string of sane length");
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(raw)) throw new NotPublicUrlError("control character or space");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotPublicUrlError("unparsable");
  }
  if (url.protocol !== "https:") throw new NotPublicUrlError("not https");
  if (url.username || url.password) throw new NotPublicUrlError("credentials in URL");
  if (url.port && url.port !== "443") throw new NotPublicUrlError("non-standard port");
  const host = url.hostname.replace(/\.$/, "");
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIP(literal)) {
    if (!isPublicAddress(literal)) throw new NotPublicUrlError("address not public");
    return url;
  }
  if (!host.includes(".") || LOCAL_NAMES.test(host)) throw new NotPublicUrlError("local host name");
  if (options.resolve) {
    const resolveAll =
      options.lookupAll ?? (async (h: string) => (await lookup(h, { all: true })).map((a) => a.address));
    let addresses: string[];
    try {
      addresses = await resolveAll(host);
    } catch {
      throw new NotPublicUrlError("does not resolve");
    }
    if (addresses.length === 0 || !addresses.every(isPublicAddress))
      throw new NotPublicUrlError("resolves to a non-public address");
  }
  return url;
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

/** `dns.lookup` with `all: true`, or a stand-in for it (tests give a name any address they need). */
export type ResolveAll = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A drop-in `lookup` for http(s).request / net.connect that resolves with `resolveAll` and then
 * refuses the connection if any resolved address is not public. Every address is checked, not only
 * the first, so a name with one public and one private record cannot be used to reach the private one.
 */
export function publicOnlyLookupVia(resolveAll: ResolveAll) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void =>
    resolveAll(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, []);
      if (list.length === 0 || list.some((a) => !isPublicAddress(a.address)))
        return callback(new NonPublicAddressError(hostname), []);
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
}

/** `publicOnlyLookupVia` with the system resolver. */
export const publicOnlyLookup = publicOnlyLookupVia((hostname, options, callback) =>
  dnsLookup(hostname, options, callback),
);

/** For registration time: does this URL's host resolve only to public addresses? */
export async function resolvesToPublicAddresses(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPublicAddress(host);
  return new Promise((resolve) => publicOnlyLookup(host, { all: true }, (err) => resolve(err === null)));
}
