-- ==== hand-written: what SQLite's migration 0003 adds by hand (issue 11), in PostgreSQL's form ====
-- The conference service keeps a meeting's roster in memory and re-reads it when this epoch moves:
-- any change to invitations, or to a name or level a roster shows, bumps it.
-- (SQLite's 0003 also moved presence out of the JSON document into rows; a PostgreSQL database
-- starts empty, so there is nothing to move.)
INSERT INTO "conference_roster_epoch" ("id", "epoch") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION "roster_epoch_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "conference_roster_epoch" SET "epoch" = "epoch" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- FOR EACH ROW, as SQLite's triggers are: the epoch counts rows changed, and only its moving matters.
CREATE TRIGGER "roster_epoch_delegates" AFTER INSERT OR UPDATE OR DELETE ON "meeting_delegates" FOR EACH ROW EXECUTE FUNCTION "roster_epoch_bump"();
--> statement-breakpoint
CREATE TRIGGER "roster_epoch_bridges" AFTER INSERT OR UPDATE OR DELETE ON "meeting_bridge_points" FOR EACH ROW EXECUTE FUNCTION "roster_epoch_bump"();
--> statement-breakpoint
CREATE TRIGGER "roster_epoch_users" AFTER UPDATE OF "full_name", "unit_id" ON "users" FOR EACH ROW EXECUTE FUNCTION "roster_epoch_bump"();
--> statement-breakpoint
CREATE TRIGGER "roster_epoch_bridge_points" AFTER UPDATE OF "name", "level" ON "bridge_points" FOR EACH ROW EXECUTE FUNCTION "roster_epoch_bump"();
--> statement-breakpoint
CREATE TRIGGER "roster_epoch_units" AFTER UPDATE OF "level", "code" ON "units" FOR EACH ROW EXECUTE FUNCTION "roster_epoch_bump"();
