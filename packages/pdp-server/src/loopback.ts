import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when a listen address reaches only this machine: `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`
 * (IPv4-mapped `::ffff:127.x.y.z` and a bracketed `[::1]` included). Any other name or address (`0.0.0.0`, `::`,
 * a LAN address, a host name that DNS may resolve anywhere) is not.
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0'); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 0) return false;
  return LOOPBACK.check(h, family === 6 ? 'ipv6' : 'ipv4');
}

/** Why `--dev` refuses a host: the message shown by the CLI and thrown by `listen()`. */
export function devHostRefusal(host: string): string {
  return (
    `refusing --dev on ${JSON.stringify(host)}: --dev accepts every request without an API key, so it listens only on a ` +
    'loopback address (127.0.0.0/8, ::1 or localhost); drop --host (GATEHOUSE_HOST) or give an --api-key instead of --dev'
  );
}
