import { cookies } from "next/headers";
import { LOGIN_BINDING_COOKIE } from "@/lib/auth/cookies";
import { loginContext } from "@/lib/auth/login-context";
import { pollLogin } from "@/lib/auth/login";

export const dynamic = "force-dynamic";

export async function GET() {
  const binding = (await cookies()).get(LOGIN_BINDING_COOKIE)?.value;
  const view = binding ? await pollLogin(await loginContext(), binding) : { state: "none" as const };
  return Response.json(view, { headers: { "Cache-Control": "no-store" } });
}
