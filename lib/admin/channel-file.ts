// Where the running app tells admin commands how to reach it: a JSON file next to the PGlite data
// folder, readable by the folder's owner only, holding the loopback port and a random secret.
import path from "node:path";

export interface ChannelFile {
  pid: number;
  port: number;
  secret: string;
}

export function channelFilePath(pgliteDataDir: string): string {
  return path.join(
    path.resolve(/*turbopackIgnore: true*/ pgliteDataDir),
    "..",
    `${path.basename(pgliteDataDir)}.admin-channel.json`,
  );
}
