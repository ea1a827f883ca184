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

export const TEST_IDENTITIES: readonly TestIdentity[] = [
  DEFAULT_IDENTITY,
  { personalNumber: "198112289874", givenName: "Erik", surname: "Testsson", bankIdIssueDate: "2021-11-03" },
  { personalNumber: "197802022389", givenName: "Maria", surname: "Testdotter", bankIdIssueDate: "2024-02-20" },
];

export function findTestIdentity(personalNumber: string): TestIdentity | undefined {
  return TEST_IDENTITIES.find((i) => i.personalNumber === personalNumber);
}
