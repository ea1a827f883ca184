// The index of what a patient can do with appointments, one file per verb (documenso's
// `<verb>-<entity>.ts`): every function takes the logged-in patient's id and scopes every query to
// it, so an id that is not theirs is indistinguishable from one that does not exist. Changes happen
// in one transaction each, with their audit event and the clinic's change event; the partial
// unique index decides races. Import from here or from the verb's own file.
export * from "./types";
export { lockOwnAppointmentView } from "./appointment-query";
export { listAppointments } from "./list-appointments";
export { getAppointment } from "./get-appointment";
export { cancelAppointment } from "./cancel-appointment";
export { findFreeSlots, type FreeSlot, type PartOfDay } from "./find-free-slots";
export { rebookAppointment } from "./rebook-appointment";
export { moveAppointment, changeableAfterMove } from "./move-appointment";
export { bookAppointment } from "./book-appointment";
