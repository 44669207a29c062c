// Child processes of the benchmarks: stop one (SIGTERM, then SIGKILL after a grace period) and make sure the
// children die with the parent when it is interrupted.
const STOPPERS = new Set();
let hooked = false;

/**
 * Resolves once `child` has exited: SIGTERM now, SIGKILL after `graceMs`.
 * @returns whether it had to be killed with SIGKILL.
 */
export function stopChild(child, graceMs = 10_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(false);
      return;
    }
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(killed);
    });
    child.kill('SIGTERM');
  });
}

/**
 * Registers `stop` to run when this process gets SIGINT or SIGTERM (then it exits with 130/143).
 * @returns a function that unregisters it.
 */
export function stopOnSignal(stop) {
  STOPPERS.add(stop);
  if (!hooked) {
    hooked = true;
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
      process.once(signal, () => {
        void Promise.allSettled([...STOPPERS].map(async (s) => { await s(); })).then(() => process.exit(code));
      });
    }
  }
  return () => STOPPERS.delete(stop);
}
