import { cookies } from "next/headers";
import { z } from "zod";
import { LOGIN_BINDING_COOKIE, secureCookies } from "@/lib/auth/cookies";
import { bankIdAppUrl } from "@/lib/auth/eid-provider";
import { loginContext } from "@/lib/auth/login-context";
import { startLogin } from "@/lib/auth/login";
import { RateLimiter } from "@/lib/auth/rate-limit";
import { requestMeta } from "@/lib/auth/request-context";
import { env } from "@/lib/env";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

const body = z.object({ method: z.enum(["qr", "autostart"]) });
// A few login starts a minute per address: plenty for a person, little for a script.
let limiter: RateLimiter | undefined;

export async function POST(request: Request) {
  if (!isSameOrigin(request)) return forbidden();
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "invalid_request" }, { status: 400 });
  const meta = await requestMeta();
  limiter ??= new RateLimiter(env().LOGIN_RATE_LIMIT_PER_MINUTE, 60_000);
  const limited = limiter.take(meta.ip);
  if (!limited.ok) {
    return Response.json(
      { error: "rate_limited", rfa: "RFA5" },
      { status: 429, headers: { "Retry-After": String(limited.retryAfterSeconds) } },
    );
  }
  const jar = await cookies();
  const ctx = await loginContext();
  const result = await startLogin(ctx, {
    startedBy: parsed.data.method,
    device: meta.isMobile ? "mobile" : "desktop",
    previousBinding: jar.get(LOGIN_BINDING_COOKIE)?.value,
  });
  if ("error" in result) return Response.json({ error: "start_failed", rfa: result.error }, { status: 502 });
  jar.set(LOGIN_BINDING_COOKIE, result.binding, {
    httpOnly: true,
    sameSite: "strict",
    secure: secureCookies(),
    path: "/",
    maxAge: 600,
  });
  return Response.json(
    { ok: true, launchUrl: parsed.data.method === "autostart" ? bankIdAppUrl(result.autoStartToken) : undefined },
    { headers: { "Cache-Control": "no-store" } },
  );
}
