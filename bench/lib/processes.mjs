// Child processes of the benchmarks: stop one (SIGTERM, then SIGKILL after a grace period), make sure the
// children die with the parent when it is interrupted, and pin processes to a CPU core.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

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

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pinning of processes to CPU cores with `taskset`, so a load generator and the server under test do not take
 * turns on one core. On where the machine has two or more cores and `taskset` exists, unless `env[offVar]` is '0'.
 * @returns `{ enabled, pin(pid, core) }`; `pin` does nothing when not enabled.
 */
export function corePinning(offVar, env = process.env) {
  const enabled = env[offVar] !== '0' && os.cpus().length >= 2 && hasTaskset();
  return {
    enabled,
    pin(pid, core) {
      if (enabled) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    },
  };
}
