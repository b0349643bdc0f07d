ALTER TABLE `sessions` ADD `pin_verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `vote_pin_hash` text;