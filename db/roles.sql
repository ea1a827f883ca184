-- Vårdtid: database roles for production (`npm run db:roles`; not a migration, because migrations
-- also run on PGlite, and managed Postgres may refuse CREATE ROLE). Run it as the role that owns
-- the tables (the one that runs migrations), after every migration that adds tables.
--
-- The app connects as {{app_role}}, which must NOT own the tables (an owner can do anything). It may
-- read and write patient data, but the audit trail is append-only for it: INSERT and SELECT on
-- audit_events, no UPDATE, DELETE or TRUNCATE. Editing history then needs the owner's credentials,
-- and `npm run audit:verify` still finds any edit through the hash chain.
GRANT USAGE ON SCHEMA public TO {{app_role}};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {{app_role}};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {{app_role}};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {{app_role}};
GRANT SELECT, INSERT ON audit_events TO {{app_role}};
-- The chain the sequencer writes (the worker and the app run it as this role) is append-only too.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_chain FROM {{app_role}};
GRANT SELECT, INSERT ON audit_chain TO {{app_role}};
-- Tables added later by migrations get the same rights (audit_events and audit_chain keep their own, above).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {{app_role}};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {{app_role}};
-- Belt and braces for everyone, the owner included: rows younger than five years (the patient
-- record retention, Patientdatalagen) cannot be changed or removed without dropping this trigger.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR OLD.at > now() - interval '5 years' THEN
    RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END;
$$;
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
-- The chain's links are never changed or removed, by anyone: a removed old audit row still shows
-- (missing_row) because its link stays.
CREATE OR REPLACE FUNCTION audit_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_chain_append_only ON audit_chain;
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_append_only();
