// A CLI made of subcommands, each turning argv into one admin command call. `npm run api-client`
// is one such CLI; another (webhooks, audit:verify) is a new table, not new plumbing.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AdminInputError } from "../registry";

export interface Subcommand {
  /** "create", or two words: "webhook set" */
  name: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Positional arguments it takes (names, for the usage line). */
  positionals?: string[];
  /** argv values → the admin command and its JSON arguments. */
  toCommand(
    values: Record<string, unknown>,
    positionals: string[],
  ): Promise<{ command: string; args: Record<string, unknown> }>;
}

export function parseSubcommand(
  table: Subcommand[],
  argv: string[],
): Promise<{ command: string; args: Record<string, unknown> }> {
  // A name may be two words ("webhook set"): the longest name that argv starts with wins.
  const sub = table
    .filter((s) => s.name.split(" ").every((word, i) => argv[i] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!sub) throw new AdminInputError(`usage:\n${table.map((s) => `  ${s.usage}`).join("\n")}`);
  const rest = argv.slice(sub.name.split(" ").length);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: sub.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new AdminInputError(`${(error as Error).message}\nusage: ${sub.usage}`);
  }
  if (parsed.positionals.length !== (sub.positionals?.length ?? 0)) throw new AdminInputError(`usage: ${sub.usage}`);
  return sub.toCommand(parsed.values as Record<string, unknown>, parsed.positionals);
}
