// SMART v2 system scopes ("system/Slot.cruds", "system/*.rs") and their v1 spellings
// ("system/Slot.read", "system/Slot.write", "system/*.*"). A scope grants interactions on a type:
// c create, r read, u update, d delete, s search.

export const SCOPE_RESOURCE_TYPES = [
  "Organization",
  "HealthcareService",
  "PractitionerRole",
  "Schedule",
  "Slot",
  "Patient",
  "Appointment",
  "RelatedPerson",
] as const;
export type ScopeResourceType = (typeof SCOPE_RESOURCE_TYPES)[number];
export type Permission = "c" | "r" | "u" | "d" | "s";

const V2 = /^system\/(\*|[A-Z][A-Za-z]+)\.(c?r?u?d?s?)$/;
const V1 = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*)$/;

export interface ParsedScope {
  resourceType: ScopeResourceType | "*";
  permissions: Set<Permission>;
}

export function parseScope(scope: string): ParsedScope | null {
  const v2 = V2.exec(scope);
  const v1 = v2 ? null : V1.exec(scope);
  const match = v2 ?? v1;
  if (!match) return null;
  const type = match[1]!;
  if (type !== "*" && !(SCOPE_RESOURCE_TYPES as readonly string[]).includes(type)) return null;
  const letters = v2 ? match[2]! : { read: "rs", write: "cud", "*": "cruds" }[match[2] as "read" | "write" | "*"];
  if (!letters) return null;
  return { resourceType: type as ParsedScope["resourceType"], permissions: new Set(letters.split("") as Permission[]) };
}

/** Splits a space-separated scope string; throws on the first one that is not a system scope we know. */
export function parseScopeList(raw: string): string[] {
  const scopes = raw.split(/\s+/).filter(Boolean);
  for (const s of scopes) if (!parseScope(s)) throw new RangeError(`unknown scope "${s}"`);
  return [...new Set(scopes)];
}

export function allows(scopes: readonly string[], resourceType: string, permission: Permission): boolean {
  return scopes.some((s) => {
    const p = parseScope(s);
    return p !== null && (p.resourceType === "*" || p.resourceType === resourceType) && p.permissions.has(permission);
  });
}

const LETTERS: readonly Permission[] = ["c", "r", "u", "d", "s"];

function formatScope(type: ScopeResourceType | "*", permissions: Set<Permission>): string {
  return `system/${type}.${LETTERS.filter((p) => permissions.has(p)).join("")}`;
}

/**
 * The scopes granted for a token request, as OAuth 2.0 (RFC 6749 §3.3) and SMART let a server
 * narrow them: the intersection of what is asked for and what the client is registered for, in
 * SMART v2 letters. "system/*.rs" asked by a client registered for "system/Slot.cruds" gets
 * "system/Slot.rs"; a scope that is not one of ours ("openid") is left out. Empty: nothing granted
 * (the token endpoint then answers invalid_scope). Also used on every call, so a token never
 * carries more than its client holds now.
 */
export function grantScopes(requested: readonly string[], registered: readonly string[]): string[] {
  const held = registered.map(parseScope).filter((p): p is ParsedScope => p !== null);
  const out: ParsedScope[] = [];
  for (const raw of requested) {
    const want = parseScope(raw);
    if (!want) continue;
    for (const have of held) {
      if (want.resourceType !== "*" && have.resourceType !== "*" && want.resourceType !== have.resourceType) continue;
      const permissions = new Set([...want.permissions].filter((p) => have.permissions.has(p)));
      if (permissions.size === 0) continue;
      out.push({ resourceType: want.resourceType === "*" ? have.resourceType : want.resourceType, permissions });
    }
  }
  // Leave out a scope another granted one already covers.
  const covers = (a: ParsedScope, b: ParsedScope) =>
    (a.resourceType === "*" || a.resourceType === b.resourceType) &&
    [...b.permissions].every((p) => a.permissions.has(p));
  const kept = out.filter((s, i) => !out.some((o, j) => j !== i && covers(o, s) && (!covers(s, o) || j < i)));
  return [...new Set(kept.map((s) => formatScope(s.resourceType, s.permissions)))];
}
