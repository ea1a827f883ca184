import "server-only";
// Reads the session id out of next-auth's session cookie (an encrypted JWT) without running all
// of getServerSession. Decrypting it costs a key derivation and AES-GCM on every page view, so
// the result is remembered per cookie value (bounded, and only until the token's own expiry).
// Nothing is trusted from the cache beyond "this cookie names this session id": whether that
// session is still valid is decided by the sessions table on every request.
import { decode } from "next-auth/jwt";

const MAX_ENTRIES = 10_000;
const decoded = new Map<string, { sid: string; expiresAt: number }>();

export async function sessionIdFromCookie(token: string, secret: string, now = Date.now()): Promise<string | null> {
  const hit = decoded.get(token);
  if (hit) {
    if (hit.expiresAt > now) return hit.sid;
    decoded.delete(token);
  }
  let payload: Awaited<ReturnType<typeof decode>>;
  try {
    payload = await decode({ token, secret });
  } catch {
    return null; // tampered, foreign or expired
  }
  const sid = payload?.sid;
  const exp = payload?.exp;
  if (typeof sid !== "string" || typeof exp !== "number" || exp * 1000 <= now) return null;
  if (decoded.size >= MAX_ENTRIES) decoded.delete(decoded.keys().next().value!);
  decoded.set(token, { sid, expiresAt: exp * 1000 });
  return sid;
}
