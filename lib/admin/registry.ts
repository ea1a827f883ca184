// Named admin commands (api-client create/list/revoke today; webhooks, audit:verify, keys:rotate
// can join). A command is a function of the database and JSON arguments returning JSON, so the
// same code runs in the CLI process (Postgres, or PGlite when no server holds the folder) and
// inside the running app through the loopback admin channel (channel-server.ts).
import type { Db } from "@/db/client";

export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminInputError";
  }
}

export interface AdminCommand {
  /** "api-client.create" */
  name: string;
  run(db: Db, args: Record<string, unknown>): Promise<unknown>;
}

const commands = new Map<string, AdminCommand>();

export function registerAdminCommand(command: AdminCommand): void {
  commands.set(command.name, command);
}

export function findAdminCommand(name: string): AdminCommand | undefined {
  return commands.get(name);
}

export function adminCommandNames(): string[] {
  return [...commands.keys()].sort();
}
