import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { InvalidRequestError, PdpUnavailableError, TENANT_PATTERN } from '@gatehouse/core';
import type { CliIo } from '../main.js';

/** Usage of `gatehouse audit`. */
export const AUDIT_USAGE = `Usage: gatehouse audit tail --url URL --tenant T [options]

Prints a tenant's audit trail (POST /v1/tenants/T/audit/list) as NDJSON, one entry per line, oldest first:
{"id","at","actor","action","target","details","snap_token"}.

Options:
  --url URL            GATEHOUSE_URL          the PDP server
  --tenant T                                  the tenant
  --api-key K          GATEHOUSE_API_KEY      the server's API key (sent as a bearer token)
  --actor USER                                read as this user (needs view_audit); the API key itself by default
  --filter-actor A, --target T, --action A    only entries with this actor / target / action
  --since TIME, --until TIME                  RFC 3339 bounds (since inclusive, until exclusive)
  --follow                                    keep polling for new entries until interrupted
  --interval-ms N                             polling interval with --follow (default 2000)
  -h, --help                                  this text

Exit status: 0 done; 2 bad options or a refused request (the server's message on stderr).`;

interface TailOptions {
  url: string;
  tenant: string;
  apiKey: string | undefined;
  body: Record<string, unknown>;
  follow: boolean;
  intervalMs: number;
}

function tailOptions(args: readonly string[], env: CliIo['env']): TailOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      tenant: { type: 'string' },
      'api-key': { type: 'string' },
      actor: { type: 'string' },
      'filter-actor': { type: 'string' },
      target: { type: 'string' },
      action: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      follow: { type: 'boolean' },
      'interval-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  if (positionals.length !== 1 || positionals[0] !== 'tail') throw new InvalidRequestError('expected the subcommand "tail"');
  const url = values.url ?? env.GATEHOUSE_URL;
  if (url === undefined || !/^https?:\/\//.test(url)) throw InvalidRequestError.badValue('--url', url, 'the http(s) URL of a PDP server');
  const tenant = values.tenant;
  if (tenant === undefined || !TENANT_PATTERN.test(tenant)) throw InvalidRequestError.badValue('--tenant', tenant, 'a tenant id');
  const interval = values['interval-ms'] ?? '2000';
  if (!/^\d+$/.test(interval) || Number(interval) < 100) throw InvalidRequestError.badValue('--interval-ms', interval, 'an integer ≥ 100');
  const filter: Record<string, string> = {};
  for (const [flag, key] of [['filter-actor', 'actor'], ['target', 'target'], ['action', 'action'], ['since', 'since'], ['until', 'until']] as const) {
    const v = values[flag];
    if (v !== undefined) filter[key] = v;
  }
  return {
    url: url.replace(/\/+$/, ''),
    tenant,
    apiKey: values['api-key'] ?? env.GATEHOUSE_API_KEY,
    body: { ...(values.actor === undefined ? {} : { actor: values.actor }), ...(Object.keys(filter).length === 0 ? {} : { filter }), page_size: 1000 },
    follow: values.follow === true,
    intervalMs: Number(interval),
  };
}

async function page(o: TailOptions, token: string): Promise<{ entries: unknown[]; continuous_token: string }> {
  let res: Response;
  try {
    res = await fetch(`${o.url}/v1/tenants/${o.tenant}/audit/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.apiKey === undefined ? {} : { authorization: `Bearer ${o.apiKey}` }) },
      body: JSON.stringify({ ...o.body, continuous_token: token }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new PdpUnavailableError(`cannot reach ${o.url}: ${(err as Error).message}`, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as { message?: unknown; entries?: unknown; continuous_token?: unknown };
  // The server's message reaches a terminal: no control characters (escape sequences), at most 500 of them.
  // eslint-disable-next-line no-control-regex
  const message = typeof body.message === 'string' ? body.message.slice(0, 500).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?') : 'refused';
  if (!res.ok) throw new InvalidRequestError(`HTTP ${String(res.status)}: ${message}`);
  if (!Array.isArray(body.entries) || typeof body.continuous_token !== 'string') throw new PdpUnavailableError('the server answered audit/list without entries');
  return { entries: body.entries as unknown[], continuous_token: body.continuous_token };
}

/**
 * `gatehouse audit tail`: prints the trail as NDJSON; with `--follow`, keeps polling until SIGINT/SIGTERM (or until
 * `until` aborts).
 * @param args - the arguments after `audit`.
 * @param io - the CLI's output and environment.
 * @param until - stops following when aborted (tests; the CLI stops on signals).
 * @returns the exit status.
 */
export async function auditCommand(args: readonly string[], io: CliIo, until?: AbortSignal): Promise<number> {
  const o = tailOptions(args, io.env);
  if (o === 'help') {
    io.stdout(`${AUDIT_USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  until?.addEventListener('abort', onSignal, { once: true });
  if (o.follow && io.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    let token = '';
    for (;;) {
      const p = await page(o, token);
      for (const e of p.entries) io.stdout(`${JSON.stringify(e)}\n`);
      token = p.continuous_token;
      if (p.entries.length > 0) continue;
      if (!o.follow || stop.signal.aborted) return 0;
      try {
        await sleep(o.intervalMs, undefined, { signal: stop.signal });
      } catch {
        return 0;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
