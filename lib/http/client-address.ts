// The client's address, decided once per request by our own server (server/main.ts) from the
// socket and the trusted proxies' X-Forwarded-For entries, never from what the client wrote.
// Pure, so the rule is unit-tested apart from any server.
import { isIP } from "node:net";

/** The request header our server sets (and strips from clients) with the decided address. */
export const CLIENT_IP_HEADER = "x-vardtid-client-ip";

/**
 * A bare IP from an address as sockets and proxies write it ("::ffff:10.0.0.1", "[2001:db8::1]:443",
 * "10.0.0.1:5678"), or null if it is not an IP address at all.
 */
export function normaliseIp(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  // A zone index (fe80::1%eth0) names an interface of the proxy, not part of the client's address.
  value = value.replace(/%[\w.-]+$/, "");
  const kind = isIP(value);
  if (kind === 0) return null;
  if (kind === 6) {
    const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
    if (mapped) return mapped[1]!;
    return value.toLowerCase();
  }
  return value;
}

/**
 * The address the outermost trusted proxy saw. Each proxy appends the address it saw to
 * X-Forwarded-For, so with `trustedProxies` = N the client is the N-th entry from the right (the
 * socket's peer being the innermost proxy); with N = 0 it is the socket's peer. Entries further
 * left were written by the client and are ignored. With fewer entries than N (a request that
 * skipped the outer proxies) the leftmost entry is the furthest any trusted proxy saw, as in
 * Express's `trust proxy` count. Anything that is not an IP falls back to the socket's address,
 * so a bad header can neither fail the request nor pick someone else's rate-limit bucket.
 */
export function clientAddress(input: {
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trustedProxies: number;
}): string {
  const socket = normaliseIp(input.socketAddress) ?? "0.0.0.0";
  if (input.trustedProxies <= 0) return socket;
  const header = Array.isArray(input.forwardedFor) ? input.forwardedFor.join(",") : (input.forwardedFor ?? "");
  const entries = header
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) return socket;
  const index = Math.max(entries.length - input.trustedProxies, 0);
  return normaliseIp(entries[index]) ?? socket;
}
