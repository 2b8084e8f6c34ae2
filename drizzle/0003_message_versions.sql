ALTER TABLE `message` ADD `parent_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `message` ADD `version_of` bigint unsigned;--> statement-breakpoint
ALTER TABLE `message` ADD `active` boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX `message_chat_path_idx` ON `message` (`chat_id`,`active`,`id`);--> statement-breakpoint
CREATE INDEX `message_chat_version_idx` ON `message` (`chat_id`,`version_of`);--> statement-breakpoint
UPDATE `message` m JOIN (SELECT `id`, LAG(`id`) OVER (PARTITION BY `chat_id` ORDER BY `id`) AS `prev` FROM `message`) p ON p.`id` = m.`id` SET m.`parent_id` = p.`prev`;
