import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "test/server-only-stub.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "data/**"],
    environment: "node",
    // Integration tests open databases and HTTP servers; give them room on a 2-core machine.
    testTimeout: 30_000,
    // Two files at a time even on two cores (vitest's default there is one): most of the long files
    // wait on child processes, timers and sockets (crash, fault, webhook and standalone tests), so a
    // second file overlaps that waiting. The builds they share are serialised by a lock
    // (scripts/lib/build.ts) and every file uses its own ports and databases.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
