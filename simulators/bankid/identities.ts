/**
 * Test identities for the simulator's app. Only numbers that are Luhn-correct and published
 * for testing (Tolvan Tolvansson is the test patient used across Swedish healthcare test
 * environments; the others are from Skatteverket's test series): never a real person's number.
 */

export interface TestIdentity {
  personalNumber: string;
  givenName: string;
  surname: string;
  bankIdIssueDate: string;
}

export const DEFAULT_IDENTITY: TestIdentity = {
  personalNumber: "191212121212",
  givenName: "Tolvan",
  surname: "Tolvansson",
  bankIdIssueDate: "2023-05-12",
};

// The same people as the demo seed (lib/demo/seed.ts), so the name the tester picks here is the
// name the app greets; Tolva (14) shows the age rule: her own login is refused.
export const TEST_IDENTITIES: readonly TestIdentity[] = [
  DEFAULT_IDENTITY,
  { personalNumber: "198112289874", givenName: "Elsa", surname: "Provsson", bankIdIssueDate: "2021-11-03" },
  { personalNumber: "197802022389", givenName: "Karl", surname: "Testman", bankIdIssueDate: "2024-02-20" },
  { personalNumber: "195001182046", givenName: "Maja", surname: "Exempelsson", bankIdIssueDate: "2022-06-14" },
  { personalNumber: "194107086995", givenName: "Sven", surname: "Demosson", bankIdIssueDate: "2020-09-30" },
  { personalNumber: "199703142399", givenName: "Leila", surname: "Provdotter", bankIdIssueDate: "2025-01-08" },
  { personalNumber: "198805232397", givenName: "Nils", surname: "Testsson", bankIdIssueDate: "2023-10-19" },
  { personalNumber: "201203102387", givenName: "Tolva", surname: "Tolvansson", bankIdIssueDate: "2026-04-02" },
];

export function findTestIdentity(personalNumber: string): TestIdentity | undefined {
  return TEST_IDENTITIES.find((i) => i.personalNumber === personalNumber);
}
