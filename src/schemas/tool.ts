// The tool body (docs/api.md, "Tools"): its zod schema and the checks that need the whole tool (names, placeholders).
import { z } from "zod";
import type { FieldIssue } from "../lib/errors";
import { AppError } from "../lib/errors";
import { compileTemplate, NAME_PATTERN, ordinalReference } from "../lib/templates";

export const LIMITS = {
  promptsPerTool: 20,
  placeholdersPerPrompt: 50,
  inputFieldsPerTool: 50,
  inputBytesPerExecution: 100 * 1024,
  promptContentChars: 100_000,
  toolsPerPrompt: 50,
} as const;

/** An agent step's tool reference: `<server>.<tool>`, `<server>.*`, or `assistant:<toolId>`. */
export const TOOL_REFERENCE = /^(?:[A-Za-z0-9_-]{1,64}\.(?:\*|[^\s]{1,128})|assistant:[A-Za-z0-9_-]{1,128})$/;

/** Model turns an agent step takes at most when it does not say. */
export const DEFAULT_MAX_STEPS = 10;

/** Field types; the original app's `short_text`/`long_text` are accepted as `text`/`textarea`. */
export const FIELD_TYPES = ["text", "textarea", "select", "multi_select", "number", "boolean"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
const LEGACY_FIELD_TYPES = { short_text: "text", long_text: "textarea" } as const;

const name = z
  .string()
  .max(64)
  .regex(NAME_PATTERN, "must start with a letter or _ and contain only letters, digits, _ and -");

const fieldType = z
  .enum([...FIELD_TYPES, "short_text", "long_text"])
  .transform((type): FieldType => (type === "short_text" || type === "long_text" ? LEGACY_FIELD_TYPES[type] : type));

export const inputFieldSchema = z.strictObject({
  name,
  label: z.string().trim().min(1).max(200),
  type: fieldType,
  required: z.boolean().default(false),
  options: z.array(z.string().min(1).max(500)).max(200).optional(),
});

export const promptSchema = z.strictObject({
  name,
  position: z.int().min(0).max(1000),
  model: z.string().trim().min(1).max(200),
  systemContext: z.string().max(LIMITS.promptContentChars).nullish(),
  content: z.string().min(1).max(LIMITS.promptContentChars),
  temperature: z.number().min(0).max(2).nullish(),
  maxTokens: z.int().min(1).max(1_000_000).nullish(),
  /**
   * An agent step's tools (SPEC §12): `<server>.<tool>`, `<server>.*` or `assistant:<toolId>`; absent or
   * empty: an ordinary prompt.
   */
  tools: z
    .array(
      z.string().min(3).max(200).regex(TOOL_REFERENCE, "must be <server>.<tool>, <server>.* or assistant:<toolId>"),
    )
    .max(LIMITS.toolsPerPrompt, `a prompt names at most ${LIMITS.toolsPerPrompt} tools`)
    .optional(),
  /** Model turns an agent step may take (1–50, default 10). */
  maxSteps: z.int().min(1).max(50).optional(),
});

/** A spending limit for one execution, in micro-dollars (1,000,000 = 1 USD). */
export const budgetSchema = z.strictObject({
  maxCostMicros: z.int().min(1).max(1_000_000_000_000),
});

export const toolBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(""),
  visibility: z.enum(["private", "shared"]).default("private"),
  onPromptError: z.enum(["stop", "continue"]).default("stop"),
  /** What one execution of the tool may spend (null or absent: no budget). */
  budget: budgetSchema.nullish(),
  inputFields: z
    .array(inputFieldSchema)
    .max(LIMITS.inputFieldsPerTool, `a tool has at most ${LIMITS.inputFieldsPerTool} input fields`)
    .default([]),
  prompts: z
    .array(promptSchema)
    .min(1, "a tool needs at least one prompt")
    .max(LIMITS.promptsPerTool, `a tool has at most ${LIMITS.promptsPerTool} prompts`),
});

export type ToolBody = z.output<typeof toolBodySchema>;
export type InputFieldDefinition = z.output<typeof inputFieldSchema>;
export type PromptDefinition = z.output<typeof promptSchema>;

/** Prompts in run order: by position, ties kept in the order given. Index + 1 is the `result_N` ordinal. */
export function inRunOrder<P extends { position: number }>(prompts: readonly P[]): P[] {
  return prompts
    .map((prompt, index) => ({ prompt, index }))
    .sort((a, b) => a.prompt.position - b.prompt.position || a.index - b.index)
    .map(({ prompt }) => prompt);
}

function checkFields(body: ToolBody, issues: FieldIssue[]): void {
  body.inputFields.forEach((field, i) => {
    const needsOptions = field.type === "select" || field.type === "multi_select";
    if (needsOptions && (!field.options || field.options.length === 0)) {
      issues.push({
        path: `inputFields.${i}.options`,
        message: `field "${field.name}" of type ${field.type} needs options`,
      });
    }
  });
}

function checkUniqueNames(body: ToolBody, issues: FieldIssue[]): void {
  const seen = new Set<string>();
  const named = [
    ...body.inputFields.map((field, i) => ({ name: field.name, path: `inputFields.${i}.name` })),
    ...body.prompts.map((prompt, i) => ({ name: prompt.name, path: `prompts.${i}.name` })),
  ];
  for (const { name: itemName, path } of named) {
    if (seen.has(itemName)) issues.push({ path, message: `name "${itemName}" is used more than once in this tool` });
    seen.add(itemName);
  }
}

function checkPlaceholders(body: ToolBody, issues: FieldIssue[]): void {
  const fieldNames = new Set(body.inputFields.map((field) => field.name));
  const promptPosition = new Map(body.prompts.map((prompt) => [prompt.name, prompt.position]));
  const runOrder = inRunOrder(body.prompts);
  body.prompts.forEach((prompt, i) => {
    const path = `prompts.${i}.content`;
    const { placeholders } = compileTemplate(prompt.content);
    if (placeholders.length > LIMITS.placeholdersPerPrompt) {
      issues.push({
        path,
        message: `prompt "${prompt.name}" has ${placeholders.length} placeholders; the limit is ${LIMITS.placeholdersPerPrompt} per prompt`,
      });
    }
    for (const placeholder of new Set(placeholders)) {
      if (fieldNames.has(placeholder)) continue;
      const position = promptPosition.get(placeholder);
      const ordinal = position === undefined ? ordinalReference(placeholder) : undefined;
      const target = position ?? (ordinal === undefined ? undefined : runOrder[ordinal - 1]?.position);
      if (target === undefined) {
        issues.push({
          path,
          message: `prompt "${prompt.name}" uses {{${placeholder}}}, which names no input field or prompt`,
        });
      } else if (target >= prompt.position) {
        issues.push({
          path,
          message: `prompt "${prompt.name}" uses {{${placeholder}}}, which is not an earlier prompt (it must be at a lower position than ${prompt.position})`,
        });
      }
    }
  });
}

/** Checks what zod cannot see field by field; throws `validation_failed` naming each problem. */
export function assertToolIsConsistent(body: ToolBody): void {
  const issues: FieldIssue[] = [];
  checkFields(body, issues);
  checkUniqueNames(body, issues);
  checkPlaceholders(body, issues);
  if (issues.length > 0) {
    throw new AppError("validation_failed", `Invalid tool: ${issues.map((issue) => issue.message).join("; ")}`, {
      details: { fields: issues },
    });
  }
}

/** What makes a prompt an agent step (SPEC §12): its tool references and its cap on model turns. */
export interface AgentStep {
  tools: string[];
  maxSteps: number;
}

/**
 * A prompt's agent step, with the default cap when it gives none; null for an ordinary prompt (no tools,
 * or an empty list), whatever `maxSteps` it carries.
 */
export function agentStepOf(prompt: { tools?: string[] | null; maxSteps?: number | null }): AgentStep | null {
  return prompt.tools?.length ? { tools: prompt.tools, maxSteps: prompt.maxSteps ?? DEFAULT_MAX_STEPS } : null;
}
