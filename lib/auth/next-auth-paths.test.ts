import { describe, expect, it } from "vitest";
import { nextAuthRoute } from "./next-auth-paths";

describe("next-auth endpoints we serve", () => {
  it("serves the two the login page uses", () => {
    expect(nextAuthRoute("GET", ["csrf"])).toBe("next-auth");
    expect(nextAuthRoute("POST", ["callback", "bankid"])).toBe("next-auth");
  });

  it("finding 4: POST signout goes to our logout, which revokes the session on the server", () => {
    expect(nextAuthRoute("POST", ["signout"])).toBe("logout");
  });

  it.each([
    ["GET", ["session"]], // finding 5: would return the session id to JavaScript
    ["POST", ["session"]],
    ["GET", ["signout"]],
    ["GET", ["providers"]],
    ["GET", ["signin"]],
    ["POST", ["signin", "bankid"]],
    ["GET", ["callback", "bankid"]],
    ["POST", ["callback", "credentials"]],
    ["GET", ["error"]],
    ["POST", ["_log"]],
    ["GET", ["csrf", "x"]],
  ] as const)("%s %j is not served", (method, segments) => {
    expect(nextAuthRoute(method, segments)).toBe("not-found");
  });
});
