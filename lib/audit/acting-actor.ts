// Who is really acting when a guardian acts for a child. The patient session (lib/auth) runs every
// page read, server action and patient route inside `runActingAs`, so every audit event those
// write about the child (actorType "patient", actorId = the child) is recorded with the guardian
// as actor and role "guardian", whichever domain function writes it: none of them can forget it.
import { AsyncLocalStorage } from "node:async_hooks";

export interface ActingAs {
  /** The logged-in person (the guardian). */
  actorPatientId: string;
  /** Whose data the request is about (the child). */
  subjectPatientId: string;
}

const store = new AsyncLocalStorage<ActingAs>();

export function runActingAs<T>(acting: ActingAs, fn: () => T): T {
  return store.run(acting, fn);
}

export function currentActingAs(): ActingAs | undefined {
  return store.getStore();
}
