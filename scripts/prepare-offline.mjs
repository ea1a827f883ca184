// The offline page (public/offline.html) is plain HTML served by the service worker; it reuses
// the app's stylesheet, copied here before each build (the built CSS has a hashed name).
import { copyFileSync } from "node:fs";

copyFileSync("app/globals.css", "public/offline.css");
