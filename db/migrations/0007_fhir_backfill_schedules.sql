-- Slots made before schedules existed get one schedule per clinic, type and practitioner, so every
-- slot reads back as a FHIR Slot with its Schedule.
INSERT INTO "schedules" ("clinic_id", "type_id", "practitioner_id")
SELECT DISTINCT "clinic_id", "type_id", "practitioner_id" FROM "slots" WHERE "schedule_id" IS NULL;
--> statement-breakpoint
UPDATE "slots" s SET "schedule_id" = sc."id"
FROM "schedules" sc
WHERE s."schedule_id" IS NULL
  AND sc."clinic_id" = s."clinic_id"
  AND sc."type_id" = s."type_id"
  AND sc."practitioner_id" IS NOT DISTINCT FROM s."practitioner_id"
  AND sc."external_id" IS NULL;
