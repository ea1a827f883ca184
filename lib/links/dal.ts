import "server-only";
// The SMS link page's data: what a token leads to, or null for an unknown or expired one.
import { db } from "@/db";
import { resolveDeepLink } from "./deep-links";

export async function resolveLink(token: string) {
  return resolveDeepLink(db(), token, new Date());
}
