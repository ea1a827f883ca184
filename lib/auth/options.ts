import "server-only";
// next-auth configuration. The session cookie carries a JWT whose only claim of substance is a
// random session id; the sessions table (lib/auth/sessions.ts) decides if it is still valid.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/db";
import { env } from "@/lib/env";
import { recordAudit } from "@/lib/audit";
import { consumeCompletedLogin } from "./login";
import { createSession } from "./sessions";
import { loginContext } from "./login-context";
import { LOGIN_BINDING_COOKIE, sessionCookieName, secureCookies } from "./cookies";

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export function authOptions(): NextAuthOptions {
  const e = env();
  return {
    secret: e.AUTH_SECRET,
    session: { strategy: "jwt", maxAge: e.SESSION_ABSOLUTE_HOURS * 3600 },
    pages: { signIn: "/login", error: "/login" },
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure: secureCookies() },
      },
    },
    providers: [
      CredentialsProvider({
        id: "bankid",
        name: "BankID",
        credentials: {},
        // Nothing the browser sends is trusted here except the binding cookie of a completed order.
        async authorize(_credentials, req) {
          const headers = (req?.headers ?? {}) as Record<string, string | undefined>;
          const binding = cookieValue(headers.cookie, LOGIN_BINDING_COOKIE);
          const ctx = await loginContext();
          if (!binding) {
            await recordAudit(db(), {
              actorType: "anonymous",
              action: "auth.login.refused",
              ip: ctx.ip,
              userAgent: ctx.userAgent,
              details: { reason: "no_binding" },
            });
            return null;
          }
          const patientId = await consumeCompletedLogin(ctx, binding);
          if (!patientId) {
            await recordAudit(db(), {
              actorType: "anonymous",
              action: "auth.login.refused",
              ip: ctx.ip,
              userAgent: ctx.userAgent,
              details: { reason: "not_complete" },
            });
            return null;
          }
          const now = ctx.now();
          const { sessionId } = await createSession(db(), {
            patientId,
            userAgent: ctx.userAgent,
            ip: ctx.ip,
            now,
            limits: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
          });
          await recordAudit(db(), {
            actorType: "patient",
            actorId: patientId,
            action: "auth.login.success",
            resourceType: "session",
            patientId,
            ip: ctx.ip,
            userAgent: ctx.userAgent,
            details: { method: "bankid" },
          });
          return { id: sessionId };
        },
      }),
    ],
    callbacks: {
      // The JWT holds the session id only: no name, no personal number, no patient id.
      async jwt({ token, user }) {
        if (user) return { sid: user.id };
        return token;
      },
      // Never the session id: anything here can reach JavaScript (GET /api/auth/session, finding 5),
      // and the id is what the HttpOnly cookie protects. We read the session from the cookie instead.
      async session({ session }) {
        return { expires: session.expires } as typeof session;
      },
    },
  };
}
