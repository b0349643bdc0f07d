ALTER TABLE `sessions` ADD `pin_verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `vote_pin_hash` text;
--> statement-breakpoint
ALTER TABLE `audit_log` ADD `seq` integer;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_seq_ux` ON `audit_log` (`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_action_ix` ON `audit_log` (`action`);--> statement-breakpoint
CREATE INDEX `audit_log_actor_ix` ON `audit_log` (`actor_user_id`);
--> statement-breakpoint
CREATE TABLE `poll_ballot_boxes` (
	`id` integer PRIMARY KEY NOT NULL,
	`poll_id` integer NOT NULL,
	`tag` text NOT NULL,
	`box` blob NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_ballot_boxes_tag_uq` ON `poll_ballot_boxes` (`poll_id`,`tag`);--> statement-breakpoint
CREATE TABLE `poll_receipts` (
	`poll_id` integer NOT NULL,
	`receipt` text NOT NULL,
	PRIMARY KEY(`poll_id`, `receipt`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `poll_secret_ballots_receipt_uq`;--> statement-breakpoint
ALTER TABLE `poll_secret_ballots` DROP COLUMN `receipt`;--> statement-breakpoint
ALTER TABLE `poll_open_ballots` ADD `ballot_id` text;--> statement-breakpoint
ALTER TABLE `poll_voters` ADD `voted` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `ballot_key` text;

--> statement-breakpoint
ALTER TABLE `document_versions` ADD `confidential` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `document_versions` SET `confidential` = 1 WHERE `document_id` IN (SELECT `id` FROM `documents` WHERE `classification` = 'confidential');

--> statement-breakpoint
CREATE TABLE `meeting_attendance` (
	`meeting_id` integer NOT NULL,
	`bridge_point_id` integer NOT NULL,
	`connected` integer NOT NULL,
	`invited` integer NOT NULL,
	`attended` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `bridge_point_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`bridge_point_id`) REFERENCES `bridge_points`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `unit_distances` (
	`unit_id` integer PRIMARY KEY NOT NULL,
	`km` real NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);

