-- Nullable columns only (backwards compatible with the running version): the slot a visit left for
-- another clinic (the change feed shows it there as cancelled, moved), and which clients of a
-- clinic get an event of a move between two clinics (a client of both gets one rebooked event).
ALTER TABLE "appointments" ADD COLUMN "moved_from_slot_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "also_clinic_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "unless_clinic_id" uuid;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_moved_from_slot_id_slots_id_fk" FOREIGN KEY ("moved_from_slot_id") REFERENCES "public"."slots"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_also_clinic_id_clinics_id_fk" FOREIGN KEY ("also_clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_unless_clinic_id_clinics_id_fk" FOREIGN KEY ("unless_clinic_id") REFERENCES "public"."clinics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appointments_moved_from_slot_idx" ON "appointments" USING btree ("moved_from_slot_id") WHERE "appointments"."moved_from_slot_id" is not null;