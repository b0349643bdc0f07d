CREATE TABLE `conference_roster_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`epoch` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meeting_presence` (
	`meeting_id` integer NOT NULL,
	`kind` text NOT NULL,
	`member_id` integer NOT NULL,
	`status` text NOT NULL,
	`delegates_present` integer,
	`reason` text,
	`joined_at` integer,
	`updated_at` integer,
	`updated_by` integer,
	`version` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `kind`, `member_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `roll_call_answers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`roll_call_id` integer NOT NULL,
	`bridge_point_id` integer NOT NULL,
	`delegates_present` integer NOT NULL,
	`at` integer NOT NULL,
	`by` integer NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roll_call_answers_uq` ON `roll_call_answers` (`meeting_id`,`roll_call_id`,`bridge_point_id`);--> statement-breakpoint
CREATE TABLE `minutes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`version` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`change_note` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`finalised_by` integer,
	`finalised_at` text,
	`snapshot` text,
	`pdf_sha256` text,
	`docx_sha256` text,
	`audit_head` text,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`finalised_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `minutes_meeting_version_uq` ON `minutes` (`meeting_id`,`version`);--> statement-breakpoint
CREATE INDEX `minutes_status_ix` ON `minutes` (`status`);--> statement-breakpoint
CREATE TABLE `minutes_fields` (
	`minutes_id` integer NOT NULL,
	`field` text NOT NULL,
	`version` integer NOT NULL,
	`value` text NOT NULL,
	`by` integer,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`minutes_id`, `field`, `version`),
	FOREIGN KEY (`minutes_id`) REFERENCES `minutes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `minutes_settings` (
	`unit_id` integer PRIMARY KEY NOT NULL,
	`style` text NOT NULL,
	`superior` text NOT NULL,
	`issuer` text NOT NULL,
	`symbol` text NOT NULL,
	`place` text NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recording_policy` (
	`meeting_id` integer PRIMARY KEY NOT NULL,
	`classification` text NOT NULL,
	`allow_confidential` integer DEFAULT false NOT NULL,
	`set_by` integer,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`set_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `recording_views` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`at` integer NOT NULL,
	`ip` text,
	`mode` text NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recording_views_rec_ix` ON `recording_views` (`recording_id`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`status` text NOT NULL,
	`classification` text NOT NULL,
	`dir` text NOT NULL,
	`pid` integer,
	`started_by` integer,
	`stopped_by` integer,
	`started_at` integer NOT NULL,
	`stopped_at` integer,
	`stop_reason` text,
	`duration_ms` integer,
	`size` integer,
	`sha256` text,
	`chapters` text NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stopped_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `recordings_meeting_ix` ON `recordings` (`meeting_id`);--> statement-breakpoint
CREATE INDEX `recordings_status_ix` ON `recordings` (`status`);--> statement-breakpoint
CREATE TABLE `meeting_reminders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`offset_minutes` integer NOT NULL,
	`starts_at` text NOT NULL,
	`created_at` text NOT NULL,
	`shown` integer DEFAULT true NOT NULL,
	`seen_at` text,
	`emailed_at` text,
	`email_attempts` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meeting_reminders_uq` ON `meeting_reminders` (`meeting_id`,`user_id`,`offset_minutes`,`starts_at`);--> statement-breakpoint
CREATE INDEX `meeting_reminders_user_ix` ON `meeting_reminders` (`user_id`,`seen_at`);--> statement-breakpoint
CREATE TABLE `poll_hall_counts` (
	`poll_id` integer NOT NULL,
	`bridge_point_id` integer NOT NULL,
	`present` integer NOT NULL,
	`counts` text NOT NULL,
	`entered_by` integer,
	`entered_at` integer NOT NULL,
	PRIMARY KEY(`poll_id`, `bridge_point_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`bridge_point_id`) REFERENCES `bridge_points`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`entered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;
--> statement-breakpoint
-- ==== hand-written (presence rows, issue 11): roster epoch triggers and the move of stored presence into rows ====
-- The conference service keeps a meeting's roster in memory and re-reads it when this epoch moves:
-- any change to invitations, or to a name or level a roster shows, bumps it.
INSERT INTO `conference_roster_epoch` (`id`, `epoch`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_delegates_ins` AFTER INSERT ON `meeting_delegates` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_delegates_upd` AFTER UPDATE ON `meeting_delegates` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_delegates_del` AFTER DELETE ON `meeting_delegates` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_bridges_ins` AFTER INSERT ON `meeting_bridge_points` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_bridges_upd` AFTER UPDATE ON `meeting_bridge_points` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_bridges_del` AFTER DELETE ON `meeting_bridge_points` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_users` AFTER UPDATE OF `full_name`, `unit_id` ON `users` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_bridge_points` AFTER UPDATE OF `name`, `level` ON `bridge_points` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `roster_epoch_units` AFTER UPDATE OF `level`, `code` ON `units` BEGIN UPDATE `conference_roster_epoch` SET `epoch` = `epoch` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
-- Presence recorded in the JSON document before this migration moves to rows (entries never set stay implicit).
-- A bridge stored as anything but offline had joined; its joined_at is its last change (the best record there is).
INSERT INTO `meeting_presence` (`meeting_id`, `kind`, `member_id`, `status`, `delegates_present`, `reason`, `joined_at`, `updated_at`, `updated_by`, `version`)
SELECT cs.`meeting_id`, 'bridge', json_extract(b.value, '$.bridgePointId'), json_extract(b.value, '$.status'), json_extract(b.value, '$.delegatesPresent'),
       NULL, COALESCE(json_extract(b.value, '$.joinedAt'), CASE WHEN json_extract(b.value, '$.status') <> 'offline' THEN json_extract(b.value, '$.updatedAt') END),
       json_extract(b.value, '$.updatedAt'), json_extract(b.value, '$.updatedBy'), cs.`version`
FROM `conference_state` cs, json_each(cs.`state`, '$.presence.bridges') b
WHERE json_extract(b.value, '$.updatedAt') IS NOT NULL;
--> statement-breakpoint
INSERT INTO `meeting_presence` (`meeting_id`, `kind`, `member_id`, `status`, `delegates_present`, `reason`, `updated_at`, `updated_by`, `version`)
SELECT cs.`meeting_id`, 'delegate', json_extract(d.value, '$.userId'), json_extract(d.value, '$.status'), NULL,
       json_extract(d.value, '$.reason'), json_extract(d.value, '$.updatedAt'), json_extract(d.value, '$.updatedBy'), cs.`version`
FROM `conference_state` cs, json_each(cs.`state`, '$.presence.delegates') d
WHERE json_extract(d.value, '$.updatedAt') IS NOT NULL;
--> statement-breakpoint
INSERT INTO `roll_call_answers` (`meeting_id`, `roll_call_id`, `bridge_point_id`, `delegates_present`, `at`, `by`, `version`)
SELECT cs.`meeting_id`, json_extract(r.value, '$.id'), json_extract(c.value, '$.bridgePointId'), json_extract(c.value, '$.delegatesPresent'),
       json_extract(c.value, '$.at'), json_extract(c.value, '$.by'), cs.`version`
FROM `conference_state` cs, json_each(cs.`state`, '$.presence.rollCalls') r, json_each(r.value, '$.confirmations') c
ORDER BY cs.`meeting_id`, r.key, c.key;
--> statement-breakpoint
UPDATE `conference_state`
SET `state` = json_set(json_remove(`state`, '$.presence'), '$.rollCalls',
  (SELECT json_group_array(json_remove(r.value, '$.confirmations')) FROM json_each(`state`, '$.presence.rollCalls') r))
WHERE json_type(`state`, '$.presence') IS NOT NULL;
