/**
 * Which step failed, carried in the error message: every error leaving a handler starts with `[functionKey] `
 * (docs/decisions.md #2). This module is the one place that writes that prefix and parses it back, and reads
 * the message out of a Step Functions error Cause. The handler wrapper writes it; RecordOutcome and the CLI read it.
 */

/** `[createEni] ...`: the function key is letters and digits. */
const STEP_PREFIX = /^\[([A-Za-z0-9]+)\] /;

/** `message` with the `[functionKey] ` prefix, unless it already names a step (the first step to fail wins). */
export function withStepPrefix(functionKey: string, message: string): string {
  return STEP_PREFIX.test(message) ? message : `[${functionKey}] ${message}`;
}

/** "[createEni] InsufficientFreeAddressesInSubnet: ..." -> "createEni". */
export function stepOf(message: string): string | undefined {
  return /^\[([A-Za-z0-9]+)\]/.exec(message)?.[1];
}

/** "[createEni] InsufficientFreeAddressesInSubnet: ..." -> "InsufficientFreeAddressesInSubnet: ...". */
export function withoutStepPrefix(message: string): string {
  return message.replace(STEP_PREFIX, '');
}

/** The message of a Step Functions error Cause: either plain text (local) or Lambda's JSON {errorType, errorMessage}. */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined ? '' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; Error?: string; Cause?: string; cause?: string };
    if (parsed && typeof parsed === 'object') {
      if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
      if (typeof parsed.Cause === 'string') return causeMessage(parsed.Cause);
      if (typeof parsed.cause === 'string') return causeMessage(parsed.cause);
    }
  } catch {
    /* plain text */
  }
  return cause;
}
