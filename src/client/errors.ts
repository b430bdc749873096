// The typed client's errors: an API error answer, and an event stream that could not be followed.

/** An error answer from the API (docs/errors.md). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The ApiError an error answer stands for (its `{error: {code, message, details}}` body, or its status alone). */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: unknown };
  } | null;
  return new ApiError(
    response.status,
    body?.error?.code ?? "unknown",
    body?.error?.message ?? `HTTP ${response.status}`,
    body?.error?.details,
  );
}

/** The event stream could not be followed (reconnects exhausted). */
export class StreamError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "StreamError";
  }
}
