ALTER TABLE `prompt_results` ADD `cost_micros` integer;--> statement-breakpoint
ALTER TABLE `tool_executions` ADD `cost_micros` integer;