import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { nextAuthRoute } from "@/lib/auth/next-auth-paths";
import { POST as logout } from "@/app/api/logout/route";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Only the next-auth endpoints our login page uses; signout revokes through our logout (findings 4, 5).
async function handler(request: Request, context: Ctx) {
  const { nextauth } = await context.params;
  switch (nextAuthRoute(request.method, nextauth ?? [])) {
    case "next-auth":
      return NextAuth(request as never, context as never, authOptions());
    case "logout":
      return logout(request);
    default:
      return Response.json({ error: "not_found" }, { status: 404, headers: { "Cache-Control": "no-store" } });
  }
}

export { handler as GET, handler as POST };
