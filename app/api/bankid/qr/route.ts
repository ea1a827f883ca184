import { cookies } from "next/headers";
import { LOGIN_BINDING_COOKIE } from "@/lib/auth/cookies";
import { loginContext } from "@/lib/auth/login-context";
import { currentQrSvg } from "@/lib/auth/login";

export const dynamic = "force-dynamic";

// The QR code for the current second, drawn on the server: the QR secret never leaves it.
export async function GET() {
  const binding = (await cookies()).get(LOGIN_BINDING_COOKIE)?.value;
  const svg = binding ? await currentQrSvg(await loginContext(), binding) : null;
  if (!svg) return new Response(null, { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(svg, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "no-store" } });
}
