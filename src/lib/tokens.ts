// Token counts for cost estimates while a model streams: the o200k_base encoding (GPT-4o and later),
// pure JS (gpt-tokenizer), so it runs in Workers without WASM. Its tables take ~17 MB of heap, so
// they load on the first priced call, not with the Worker. Other providers' tokenizers differ a
// little; docs/api.md ("Budgets") says how close the estimate comes.

/** Counts the tokens of a piece of text (a prompt, or one streamed delta). */
export type TokenCounter = (text: string) => number;

// Text that looks like a special token (`<|endoftext|>`) is counted as the text it is.
const AS_TEXT = { disallowedSpecial: new Set<string>() };

let loading: Promise<TokenCounter> | null = null;

/** The counter, loaded once per isolate on first use. */
export const tokenCounter = (): Promise<TokenCounter> => {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then(
    ({ countTokens }) =>
      (text: string) =>
        text === "" ? 0 : countTokens(text, AS_TEXT),
  );
  return loading;
};

// OpenAI's chat format frames each message with 3 tokens and primes the answer with 3 more.
const PER_MESSAGE = 3;
const PRIMING = 3;

/** Input tokens of a chat request: a system message (when there is one) and the user's prompt. */
export function chatInputTokens(count: TokenCounter, systemContext: string | null, prompt: string): number {
  const system = systemContext ? PER_MESSAGE + count(systemContext) : 0;
  return system + PER_MESSAGE + count(prompt) + PRIMING;
}
