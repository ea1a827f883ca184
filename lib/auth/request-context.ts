import "server-only";
import { isIP } from "node:net";
import { headers } from "next/headers";

/**
 * The client's address as the app sees it. Vårdtid runs behind the caregiver's own reverse proxy,
 * which must set X-Forwarded-For (README, production); the first entry is the client.
 */
export async function requestMeta(): Promise<{ ip: string; userAgent: string | null; isMobile: boolean }> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  // Only a valid address is used (a header like "not-an-ip" reached BankID as endUserIp and answered
  // 502). Which header to trust at all is the deployment's trusted-proxy setting (issue 15).
  const candidates = [forwarded, h.get("x-real-ip")?.trim()];
  const ip = candidates.find((c): c is string => Boolean(c) && isIP(c!) !== 0) ?? "127.0.0.1";
  const userAgent = h.get("user-agent");
  return { ip, userAgent, isMobile: /Mobi|Android|iPhone|iPad/i.test(userAgent ?? "") };
}
