// /.well-known/security.txt (RFC 9116): how a researcher reports a hole to the caregiver. Expires is
// computed per request, 90 days ahead: the RFC asks for less than a year, and a file generated
// from the running configuration can never go stale in a forgotten deployment.
const DAY = 24 * 3600 * 1000;

export function securityTxt(input: { baseUrl: string; contact?: string; now: Date }): string {
  const base = new URL(input.baseUrl);
  const contact = input.contact?.trim() || `mailto:security@${base.hostname}`;
  const expires = new Date(input.now.getTime() + 90 * DAY);
  return [
    `Contact: ${contact}`,
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, "Z")}`,
    "Preferred-Languages: sv, en",
    `Canonical: ${new URL("/.well-known/security.txt", base).toString()}`,
    "",
  ].join("\n");
}
