// Checks an execution's inputs against the tool's fields (docs/api.md) and turns them into template values.

import type { FieldIssue } from "../lib/errors";
import { AppError } from "../lib/errors";
import { type FieldType, LIMITS } from "./tool";

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: string[] | null;
}

type Check = (value: unknown, field: FieldSpec) => string | { text: string };

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  (typeof value === "string" && value.trim() === "") ||
  (Array.isArray(value) && value.length === 0);

const text: Check = (value) => (typeof value === "string" ? { text: value } : "must be a string");

const CHECKS: Record<FieldType, Check> = {
  text,
  textarea: text,
  number: (value) => {
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    return typeof number === "number" && Number.isFinite(number) ? { text: String(number) } : "must be a number";
  },
  boolean: (value) => (typeof value === "boolean" ? { text: String(value) } : "must be true or false"),
  select: (value, field) =>
    typeof value === "string" && (field.options ?? []).includes(value)
      ? { text: value }
      : `must be one of: ${(field.options ?? []).join(", ")}`,
  multi_select: (value, field) => {
    const options = field.options ?? [];
    // The original form sent one chosen option as a plain string: a one-item list.
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list) || !list.every((item) => typeof item === "string" && options.includes(item))) {
      return `must be a list of: ${options.join(", ")}`;
    }
    return { text: list.join(", ") };
  },
};

/**
 * Validates inputs against the fields and returns each field's substitution text
 * (optional fields left empty become ""). Throws `validation_failed` naming every bad field.
 */
export function resolveInputs(fields: readonly FieldSpec[], inputs: Record<string, unknown>): Map<string, string> {
  const size = new TextEncoder().encode(JSON.stringify(inputs)).length;
  if (size > LIMITS.inputBytesPerExecution) {
    throw new AppError(
      "validation_failed",
      `Inputs are ${size} bytes; the limit is ${LIMITS.inputBytesPerExecution} bytes (100 KB) per execution`,
    );
  }
  const issues: FieldIssue[] = [];
  const values = new Map<string, string>();
  const known = new Set(fields.map((field) => field.name));
  for (const name of Object.keys(inputs)) {
    if (!known.has(name)) issues.push({ path: `inputs.${name}`, message: `"${name}" is not a field of this tool` });
  }
  for (const field of fields) {
    const value = inputs[field.name];
    if (isEmpty(value)) {
      if (field.required) issues.push({ path: `inputs.${field.name}`, message: `${field.label} is required` });
      values.set(field.name, "");
      continue;
    }
    const result = CHECKS[field.type](value, field);
    if (typeof result === "string") issues.push({ path: `inputs.${field.name}`, message: `${field.label} ${result}` });
    else values.set(field.name, result.text);
  }
  if (issues.length > 0) {
    throw new AppError("validation_failed", `Invalid inputs: ${issues.map((issue) => issue.message).join("; ")}`, {
      details: { fields: issues },
    });
  }
  return values;
}

/**
 * Checks inputs sent again for an existing execution (the original client re-sends them with its
 * `executionId`) against the stored ones, compared as the text each field substitutes, so `"2"` and
 * `["2"]` for a multi_select agree. Throws `validation_failed` naming every field that differs.
 */
export function assertSameInputs(
  fields: readonly FieldSpec[],
  stored: Record<string, unknown>,
  sent: Record<string, unknown>,
): void {
  const before = resolveInputs(fields, stored);
  const after = resolveInputs(fields, sent);
  const issues: FieldIssue[] = fields
    .filter((field) => before.get(field.name) !== after.get(field.name))
    .map((field) => ({
      path: `inputs.${field.name}`,
      message: `${field.label} differs from the value this execution was created with`,
    }));
  if (issues.length > 0) {
    throw new AppError(
      "validation_failed",
      `These inputs differ from the execution's: ${issues.map((issue) => issue.message).join("; ")}`,
      {
        details: { fields: issues },
      },
    );
  }
}
