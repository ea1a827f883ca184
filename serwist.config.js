// @ts-check
// Serwist in "configurator mode": the service worker is built after `next build` (Turbopack),
// by `serwist build`, from sw/sw.ts into public/sw.js, precaching Next's static assets.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { serwist } from "@serwist/next/config";

/** @param {string} file */
const revision = (file) =>
  createHash("sha256")
    .update(readFileSync(`public${file}`))
    .digest("hex")
    .slice(0, 16);
const offlineFiles = ["/offline.html", "/offline.css", "/offline.js", "/offline-texts.js"];

export default serwist.withNextConfig(() => ({
  swSrc: "sw/sw.ts",
  swDest: "public/sw.js",
  // Prerendered pages are not precached: every page but the offline page may carry patient data.
  precachePrerendered: false,
  additionalPrecacheEntries: offlineFiles.map((url) => ({ url, revision: revision(url) })),
  globIgnores: ["public/sw.js", "public/sw.js.map", "public/offline.*", "public/offline-texts.js"],
}));
