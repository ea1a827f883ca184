// Runs the standalone tree the way the container image does, without a container engine: the
// runtime stage's ENV, USER and CMD read from the Dockerfile itself, the tree bind-mounted
// read-only in a mount namespace of its own (`unshare -m`; as root, file modes alone would not
// stop a write), and the process dropped to the image's numeric user (`setpriv`).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureBuild } from "@/scripts/lib/build";

export const root = path.resolve(import.meta.dirname, "..", "..");

export interface ImageSpec {
  env: Record<string, string>;
  uid: number;
  gid: number;
  cmd: string[];
  healthcheck: string[];
}

/** The last stage of the Dockerfile: what `docker run` would do. */
export function readImageSpec(dockerfile = path.join(root, "Dockerfile")): ImageSpec {
  const lines = readFileSync(dockerfile, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim());
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const stage = lines.slice(lastFrom);
  const env: Record<string, string> = {};
  let user = "";
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  for (const line of stage) {
    const [, instr, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (instr === "ENV") {
      const m = /^(\w+)[=\s](.*)$/.exec(rest!);
      if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
    } else if (instr === "USER") user = rest!;
    else if (instr === "CMD") cmd = JSON.parse(rest!) as string[];
    else if (instr === "HEALTHCHECK") healthcheck = JSON.parse(rest!.replace(/^.*?CMD\s+/, "")) as string[];
  }
  const [uid, gid] = user.split(":").map(Number);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`USER must be numeric uid:gid, got "${user}"`);
  return { env, uid: uid!, gid: gid!, cmd, healthcheck };
}

/** One build for every caller (see scripts/lib/build.ts), then the container's tree. */
export function prepareStandalone(): string {
  if (!ensureBuild(root)) throw new Error("npm run build failed");
  const assembled = spawnSync(process.execPath, ["--import", "tsx", "scripts/assemble-standalone.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  if (assembled.status !== 0) throw new Error(`assemble-standalone failed:\n${assembled.stderr}${assembled.stdout}`);
  return path.join(root, ".next", "standalone");
}

/**
 * Starts `argv` (its first word "node" means this Node) in the image's conditions. Returns the
 * process (the pid is the command's own: unshare and sh exec into it).
 */
export function runAsImage(
  tree: string,
  spec: ImageSpec,
  argv: string[],
  env: Record<string, string>,
): ChildProcess & { output: () => string } {
  const mountPoint = mkdtempSync(path.join(tmpdir(), "vardtid-image-"));
  chmodSync(mountPoint, 0o755);
  const [command, ...args] = argv;
  const executable = command === "node" ? process.execPath : command!;
  const script =
    'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && cd "$2" && shift 2 && ' +
    `exec setpriv --reuid=${spec.uid} --regid=${spec.gid} --clear-groups -- "$@"`;
  const child = spawn("unshare", ["-m", "sh", "-c", script, "sh", tree, mountPoint, executable, ...args], {
    // Only the image's ENV and the deployment's configuration: nothing inherited from this shell.
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", ...spec.env, ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  }) as ChildProcess;
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += String(d)));
  child.stderr!.on("data", (d: Buffer) => (output += String(d)));
  return Object.assign(child, { output: () => output });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
