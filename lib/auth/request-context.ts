import "server-only";
import { headers } from "next/headers";
import { CLIENT_IP_HEADER, normaliseIp } from "@/lib/http/client-address";

/** Where the address is unknown: never a header the client wrote (see below). */
const UNKNOWN_ADDRESS = "0.0.0.0";

/**
 * The client's address for rate limits, the audit trail and BankID's endUserIp. Only our server
 * (server/main.ts) decides it, from the socket and TRUSTED_PROXY_COUNT, and it strips any copy a
 * client sent; X-Forwarded-For and X-Real-IP are never read here, since a client can write them.
 * Served some other way (a bare `next start`), every request counts as one unknown address.
 */
export async function requestMeta(): Promise<{ ip: string; userAgent: string | null; isMobile: boolean }> {
  const h = await headers();
  const ip = normaliseIp(h.get(CLIENT_IP_HEADER)) ?? UNKNOWN_ADDRESS;
  const userAgent = h.get("user-agent");
  return { ip, userAgent, isMobile: /Mobi|Android|iPhone|iPad/i.test(userAgent ?? "") };
}
