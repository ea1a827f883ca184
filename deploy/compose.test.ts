// compose.yaml (the small-clinic install) runs the same image the same way: the Dockerfile's user
// and commands, read-only with a tmpfs, migrations first, Postgres 17 on a volume. No engine here
// to start it; the commands themselves are proven by standalone.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readImageSpec, root } from "./test/image";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const compose = parse(readFileSync(path.join(root, "compose.yaml"), "utf8"), { merge: true }) as any;
const spec = readImageSpec();

describe("compose.yaml", () => {
  it("runs app, worker and migrations from one image as the image's numeric user on a read-only root", () => {
    const services = compose.services;
    expect(services.app.command).toEqual(spec.cmd);
    expect(services.worker.command).toEqual(["node", "dist/worker.mjs"]);
    expect(services.migrate.command).toEqual(["node", "dist/migrate.mjs"]);
    for (const name of ["app", "worker", "migrate"]) {
      const s = services[name];
      expect(s.image, name).toBe(services.app.image);
      expect(s.user, name).toBe(`${spec.uid}:${spec.gid}`);
      expect(s.read_only, name).toBe(true);
      expect(s.tmpfs, name).toContain("/tmp");
      expect(s.cap_drop, name).toEqual(["ALL"]);
      expect(s.environment.VARDTID_MODE, name).toBe("production");
    }
  });

  it("migrates before the app and worker start, on Postgres 17 with a volume", () => {
    const { app, worker, postgres } = compose.services;
    for (const s of [app, worker]) expect(s.depends_on.migrate.condition).toBe("service_completed_successfully");
    expect(compose.services.migrate.depends_on.postgres.condition).toBe("service_healthy");
    expect(postgres.image).toMatch(/^postgres:17/);
    expect(postgres.volumes[0]).toMatch(/^pgdata:\/var\/lib\/postgresql\/data$/);
    expect(Object.keys(compose.volumes)).toContain("pgdata");
    // Published on loopback only: TLS is the host's reverse proxy's job.
    expect(app.ports[0]).toMatch(/^127\.0\.0\.1:/);
  });
});
