// Runs a subcommand CLI: one JSON line on stdout for a result, one plain line on stderr for a
// mistake (exit 1). Nothing else is printed, so scripts can read stdout as JSON.
import { env } from "@/lib/env";
import { invokeAdmin } from "../channel-client";
import { AdminInputError } from "../registry";
import { parseSubcommand, type Subcommand } from "./subcommands";

export async function runCli(table: Subcommand[], argv: string[]): Promise<number> {
  try {
    const { command, args } = await parseSubcommand(table, argv);
    const e = env();
    const result = await invokeAdmin({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR }, command, args);
    if (!result.ok) {
      process.stderr.write(`${result.error}\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(result.result)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AdminInputError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
