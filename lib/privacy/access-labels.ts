// How an audit action code ("waitlist.offer.accept") finds its words for the patient's access log:
// `access.actions.<code with dots as underscores>` in the message files. One rule, used by the page
// and by the test that fails on any code the code base records without words for it.
export function accessActionKey(action: string): string {
  return action.replace(/\./g, "_");
}

/**
 * Every audit action code written in a source file: string literals in `action: …` expressions
 * (including both sides of a ternary) and in calls of a local `audit(ctx, tx, …)` helper.
 */
export function auditActionsIn(source: string): string[] {
  const found = new Set<string>();
  const expressions = [
    ...source.matchAll(/\baction:\s*([^,\n}]+)/g),
    ...source.matchAll(/\baudit\(\s*\w+\s*,\s*\w+\s*,\s*([^,\n)]+)/g),
  ].map((m) => m[1]!);
  for (const expression of expressions) {
    for (const literal of expression.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)) found.add(literal[1]!);
  }
  return [...found].sort();
}
