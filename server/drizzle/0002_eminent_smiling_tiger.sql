ALTER TABLE `document_versions` ADD `confidential` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `document_versions` SET `confidential` = 1 WHERE `document_id` IN (SELECT `id` FROM `documents` WHERE `classification` = 'confidential');
