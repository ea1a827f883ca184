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
// The prerendered app shells (app/(shell)), one per language: no patient data, so they may be
// kept; a new build brings new ones (revision = the build id).
const shellLocales = ["sv", "en", "ar", "fa", "so", "fi"];
const buildId = readFileSync(".next/BUILD_ID", "utf8").trim();
const shells = shellLocales.map((l) => ({ url: `/shell/${l}/besok`, revision: buildId }));

export default serwist.withNextConfig(() => ({
  swSrc: "sw/sw.ts",
  swDest: "public/sw.js",
  // Prerendered pages are not precached automatically (a page rendered per request may carry
  // patient data); the shells, which never do, are named here.
  precachePrerendered: false,
  additionalPrecacheEntries: [...offlineFiles.map((url) => ({ url, revision: revision(url) })), ...shells],
  globIgnores: ["public/sw.js", "public/sw.js.map", "public/offline.*", "public/offline-texts.js"],
}));
