import type { Db } from "@/db/client";
import { AdminInputError, findAdminCommand } from "./registry";

export type AdminResult = { ok: true; result: unknown } | { ok: false; error: string };

/** Runs a registered command; a user mistake comes back as { ok: false } with a one-line message. */
export async function runAdminCommand(db: Db, name: string, args: Record<string, unknown>): Promise<AdminResult> {
  const command = findAdminCommand(name);
  if (!command) return { ok: false, error: `unknown admin command ${name}` };
  try {
    return { ok: true, result: await command.run(db, args) };
  } catch (error) {
    if (error instanceof AdminInputError) return { ok: false, error: error.message };
    throw error;
  }
}
