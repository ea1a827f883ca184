// When is a login session still valid? A pure function of the stored session and the clock, so
// the idle timeout and the absolute lifetime are tested without waiting.
export interface StoredSession {
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
}

export interface SessionLimits {
  idleMinutes: number;
  absoluteHours: number;
}

export type SessionState = "active" | "revoked" | "idle_expired" | "expired";

export function sessionState(
  session: StoredSession,
  now: Date,
  limits: Pick<SessionLimits, "idleMinutes">,
): SessionState {
  if (session.revokedAt) return "revoked";
  if (now.getTime() >= session.absoluteExpiresAt.getTime()) return "expired";
  if (now.getTime() - session.lastSeenAt.getTime() >= limits.idleMinutes * 60_000) return "idle_expired";
  return "active";
}

export function absoluteExpiry(createdAt: Date, limits: Pick<SessionLimits, "absoluteHours">): Date {
  return new Date(createdAt.getTime() + limits.absoluteHours * 3_600_000);
}

/** Writing last_seen_at on every request would make each page view a write; once a minute is enough. */
export function shouldTouch(session: Pick<StoredSession, "lastSeenAt">, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= 60_000;
}
