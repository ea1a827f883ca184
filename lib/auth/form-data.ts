// A server action is a public endpoint: a client can call it with any arguments, not only the form
// its page renders. Actions that read fields themselves start from this, so a wrong shape is an
// empty form (refused by the schema like any missing field), never a TypeError (HTTP 500).
export function asFormData(value: unknown): FormData {
  return value instanceof FormData ? value : new FormData();
}
