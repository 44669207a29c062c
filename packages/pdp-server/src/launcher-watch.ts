/** The parts of `process` the watch uses (replaceable in tests). */
export interface WatchedProcess {
  readonly ppid: number;
  readonly pid: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  kill(pid: number, signal: NodeJS.Signals): true;
}

/** How often the parent process id is compared, in milliseconds. */
export const LAUNCHER_POLL_MS = 200;

/**
 * Under npm (`npx -p @gatehouse/pdp-server gatehouse serve`, or an npm script that runs `gatehouse`), npm runs the
 * command through `sh -c`, and on SIGTERM npm signals only that shell: the shell dies and this process would be
 * left holding its port. When the process was started by npm (`npm_command` is set) this watch compares the
 * parent pid every {@link LAUNCHER_POLL_MS} ms and, once the parent has gone (the process was re-parented), sends
 * SIGTERM to itself, so `serve` closes the server and exits as if it had been signalled directly. The timer is
 * `unref()`ed: it never keeps the process alive. Outside npm it does nothing.
 *
 * @returns a function that stops the watch.
 */
export function stopWhenLauncherExits(proc: WatchedProcess, pollMs: number = LAUNCHER_POLL_MS): () => void {
  if (proc.env.npm_command === undefined) return () => undefined;
  const parent = proc.ppid;
  const timer = setInterval(() => {
    if (proc.ppid === parent) return;
    clearInterval(timer);
    proc.kill(proc.pid, 'SIGTERM');
  }, pollMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
