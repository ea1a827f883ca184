// Which of next-auth's own endpoints we serve. Our pages use exactly two: the CSRF token and the
// BankID credentials callback. Everything else is either dangerous or misleading:
// - POST /api/auth/signout clears the cookie but leaves the session valid on the server (a copied
//   cookie would keep working), so it is routed to our own logout, which revokes it;
// - GET /api/auth/session would hand the session id to JavaScript, undoing HttpOnly;
// - providers, signin, error pages: not used by Vårdtid.
export type NextAuthRoute = "next-auth" | "logout" | "not-found";

export function nextAuthRoute(method: string, segments: readonly string[]): NextAuthRoute {
  const path = segments.join("/");
  if (method === "GET" && path === "csrf") return "next-auth";
  if (method === "POST" && path === "callback/bankid") return "next-auth";
  if (method === "POST" && path === "signout") return "logout";
  return "not-found";
}
