ALTER TABLE `prompt_results` ADD `system_context` text;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `content` text;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `temperature` real;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `max_tokens` integer;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `request_hash` text;--> statement-breakpoint
ALTER TABLE `prompt_results` ADD `reused` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `request_fingerprint` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `on_prompt_error` text DEFAULT 'stop' NOT NULL;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `input_fields` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `source_execution_id` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `from_prompt_id` text;--> statement-breakpoint
CREATE INDEX `tool_executions_owner_source_idx` ON `tool_executions` (`owner_id`,`source_execution_id`);