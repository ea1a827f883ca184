import { describe, expect, it } from "vitest";
import { shellAnswer } from "./shell-request";

const cookies =
  (jar: Record<string, string>) =>
  (name: string): string | undefined =>
    jar[name];

describe("shellAnswer", () => {
  it("has nothing to say about a path without a shell", () => {
    expect(shellAnswer({ path: "/login", search: "", cookie: cookies({}), acceptLanguage: null })).toBeNull();
    expect(shellAnswer({ path: "/besok/abc", search: "", cookie: cookies({}), acceptLanguage: null })).toBeNull();
  });

  it("sends a request without a session cookie to the login page, with the path and query to return to", () => {
    expect(shellAnswer({ path: "/besok", search: "?vecka=2", cookie: cookies({}), acceptLanguage: "en" })).toEqual({
      login: "/login?returnTo=%2Fbesok%3Fvecka%3D2",
    });
  });

  it("accepts either session cookie name", () => {
    for (const name of ["vardtid.session", "__Host-vardtid.session"]) {
      expect(
        shellAnswer({ path: "/besok", search: "", cookie: cookies({ [name]: "x" }), acceptLanguage: null }),
      ).toEqual({ shell: "/shell/sv/besok" });
    }
  });

  it("picks the shell by the language cookie first, then Accept-Language, else Swedish", () => {
    const session = { "vardtid.session": "x" };
    expect(
      shellAnswer({
        path: "/besok",
        search: "",
        cookie: cookies({ ...session, NEXT_LOCALE: "fi" }),
        acceptLanguage: "en",
      }),
    ).toEqual({ shell: "/shell/fi/besok" });
    expect(
      shellAnswer({ path: "/besok", search: "", cookie: cookies(session), acceptLanguage: "en-GB,en;q=0.9" }),
    ).toEqual({ shell: "/shell/en/besok" });
    expect(shellAnswer({ path: "/besok", search: "", cookie: cookies(session), acceptLanguage: "de" })).toEqual({
      shell: "/shell/sv/besok",
    });
    // A language cookie we do not have is ignored, not used as a path.
    expect(
      shellAnswer({
        path: "/besok",
        search: "",
        cookie: cookies({ ...session, NEXT_LOCALE: "../x" }),
        acceptLanguage: null,
      }),
    ).toEqual({ shell: "/shell/sv/besok" });
  });
});
