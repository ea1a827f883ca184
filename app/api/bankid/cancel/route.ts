import { cookies } from "next/headers";
import { LOGIN_BINDING_COOKIE } from "@/lib/auth/cookies";
import { loginContext } from "@/lib/auth/login-context";
import { cancelLogin } from "@/lib/auth/login";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  if (!isSameOrigin(request)) return forbidden();
  const reason = new URL(request.url).searchParams.get("reason") === "hidden" ? "hidden" : "user";
  const jar = await cookies();
  const binding = jar.get(LOGIN_BINDING_COOKIE)?.value;
  if (binding) await cancelLogin(await loginContext(), binding, reason);
  jar.delete(LOGIN_BINDING_COOKIE);
  return new Response(null, { status: 204 });
}
