// How a browser calls a Next.js server action, for benchmarks that must go through the real app:
// the action's id from the build's manifest, and the two request shapes React sends.
//
// - A form whose `action` is the server action itself works without JavaScript: React renders a
//   hidden `$ACTION_ID_<id>` field, and the browser posts the form (multipart) to the page's URL.
//   A `redirect()` in the action answers 303 with a Location.
// - A form whose `action` is a client function (useActionState around the action) has no such
//   fallback: React calls the action with fetch, header `Next-Action: <id>`, and the arguments
//   encoded by `encodeReply` (a FormData argument becomes fields `_<n>_<name>`, the argument list
//   is JSON in field `0` with `"$K<n>"` in its place). A `redirect()` then answers 200 with
//   `x-action-redirect`; a returned state comes back in the RSC body.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

interface ManifestEntry {
  exportedName?: string;
  filename?: string;
}

/** The id of `exportedName` from `filename` (repo-relative) in the built app at `appDir`. */
export function serverActionId(appDir: string, filename: string, exportedName: string): string {
  const file = path.join(appDir, ".next/server/server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { node?: Record<string, ManifestEntry> };
  const ids = Object.entries(manifest.node ?? {})
    .filter(([, e]) => e.exportedName === exportedName && e.filename?.replace(/^\.\//, "") === filename)
    .map(([id]) => id);
  if (ids.length !== 1)
    throw new Error(`server action ${filename}#${exportedName}: ${ids.length} ids in ${file} (1 expected)`);
  return ids[0]!;
}

export interface EncodedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

function multipart(fields: [string, string][]): { contentType: string; body: Buffer } {
  const boundary = `----vardtidbench${randomBytes(12).toString("hex")}`;
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${parts.join("")}--${boundary}--\r\n`),
  };
}

/** A no-JavaScript form post to a server action (`fields` as the form and its submit button send them). */
export function formPost(
  actionId: string,
  fields: [string, string][],
  ctx: { origin: string; cookie: string },
): EncodedRequest {
  const { contentType, body } = multipart([[`$ACTION_ID_${actionId}`, ""], ...fields]);
  return {
    headers: { "content-type": contentType, origin: ctx.origin, cookie: ctx.cookie, accept: "text/html" },
    body,
  };
}
