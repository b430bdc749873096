ALTER TABLE `prompt_results` ADD `output_preview` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `record_key` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `inputs_preview` text;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `output_preview` text;--> statement-breakpoint
CREATE INDEX `tool_executions_completed_idx` ON `tool_executions` (`completed_at`);