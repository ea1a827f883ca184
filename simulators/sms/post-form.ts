/**
 * The simulator's outbound calls (delivery reports, incoming SMS) as 46elks makes them:
 * a form-urlencoded POST, with Basic auth taken from the URL's userinfo.
 */

export interface FormAnswer {
  status: number;
  body: string;
}

const ATTEMPT_TIMEOUT_MS = 5_000;

export async function postForm(
  target: string,
  fields: Record<string, string>,
  signal: AbortSignal,
): Promise<FormAnswer> {
  const url = new URL(target);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    "User-Agent": "vardtid-sms-simulator",
  };
  // fetch refuses URLs with credentials, and an operator would not send them in the
  // request line anyway: they become an Authorization header.
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
    signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
    redirect: "manual",
  });
  return { status: response.status, body: await response.text() };
}

/** Scheme, host and port only: paths and queries may carry secrets, and logs must not. */
export function describeTarget(target: string): string {
  try {
    return new URL(target).origin;
  } catch {
    return "(invalid URL)";
  }
}
