import { env } from "@/lib/env";
import { securityTxt } from "@/lib/security/security-txt";

export const dynamic = "force-dynamic";

export function GET() {
  const body = securityTxt({ baseUrl: env().PUBLIC_BASE_URL, contact: process.env.SECURITY_CONTACT, now: new Date() });
  return new Response(body, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}
