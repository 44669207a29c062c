import { PdpUnavailableError } from '../errors.js';

/**
 * Runs `call` with a signal that aborts when the caller's signal aborts or `timeoutMs` passes, and settles
 * at that moment even if `call` ignores its signal (an embedded PDP may). A late rejection of `call` is
 * absorbed, so it never surfaces as an unhandled rejection.
 */
export async function withDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  if (callerSignal?.aborted === true) throw abortReason(callerSignal);
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => {
    controller.abort(new PdpUnavailableError(`the PDP did not answer within the deadline of ${String(timeoutMs)} ms`));
  }, timeoutMs);
  // Not unref'd: the caller awaits this call, so its deadline must keep the process alive; cleared on settle.
  const onCallerAbort = (): void => {
    controller.abort(callerSignal === undefined ? undefined : abortReason(callerSignal));
  };
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => { reject(abortReason(signal)); }, { once: true });
      let pending: Promise<T>;
      try {
        pending = call(signal);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      pending.then(resolve, reject);
    });
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
}

/** The reason a signal aborted, as an Error (AbortSignal.reason is `unknown`). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

/** Resolves or rejects like `promise`, but rejects at once when `signal` aborts (the work goes on for others). */
export async function detachable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return await promise;
  if (signal.aborted) throw abortReason(signal);
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      onAbort = (): void => { reject(abortReason(signal)); };
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject);
    });
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
