// Token counts for cost estimates while a model streams: the o200k_base encoding (GPT-4o and later),
// pure JS (gpt-tokenizer), so it runs in Workers without WASM. Other providers' tokenizers differ a
// little; docs/api.md ("Budgets") says how close the estimate comes.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

// Text that looks like a special token (`<|endoftext|>`) is counted as the text it is.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens in a piece of text (a prompt, or one streamed delta). */
export const textTokens = (text: string): number => (text === "" ? 0 : countTokens(text, AS_TEXT));

// OpenAI's chat format frames each message with 3 tokens and primes the answer with 3 more.
const PER_MESSAGE = 3;
const PRIMING = 3;

/** Input tokens of a chat request: a system message (when there is one) and the user's prompt. */
export function chatInputTokens(systemContext: string | null, prompt: string): number {
  const system = systemContext ? PER_MESSAGE + textTokens(systemContext) : 0;
  return system + PER_MESSAGE + textTokens(prompt) + PRIMING;
}
