CREATE TABLE "api_client_assertions" (
	"client_id" uuid NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_client_patients" (
	"client_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "clinic_hsa_ids" text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "scopes" text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "jwks" jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "api_client_assertions" ADD CONSTRAINT "api_client_assertions_client_id_api_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_client_patients" ADD CONSTRAINT "api_client_patients_client_id_api_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_client_patients" ADD CONSTRAINT "api_client_patients_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_client_assertions_jti_uq" ON "api_client_assertions" USING btree ("client_id","jti");--> statement-breakpoint
CREATE INDEX "api_client_assertions_exp_idx" ON "api_client_assertions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "api_client_patients_uq" ON "api_client_patients" USING btree ("client_id","patient_id");--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_clinics_ck" CHECK (cardinality("api_clients"."clinic_hsa_ids") > 0);