import { ProxyTracerProvider, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';

/** Tracing of checks through `@opentelemetry/api`. */
export interface TracingOptions {
  /**
   * `true` starts spans even before an SDK is registered; `false` never starts any. By default spans are
   * started once a tracer provider other than the API's no-op is registered.
   */
  readonly enabled?: boolean;
  /**
   * Put the subject id on spans. Off by default: traces often leave the trust boundary of the audit log.
   * @defaultValue false
   */
  readonly includeSubjectId?: boolean;
}

// The API offers no other way to ask "is an SDK registered?" than the proxy's delegate.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

function providerRegistered(): boolean {
  const provider = trace.getTracerProvider();
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** What a check span records. */
export interface CheckSpanFacts {
  readonly tenant: string;
  readonly action: string;
  readonly resource: string;
  readonly subject: string;
  readonly allowed: boolean;
  readonly reason: string;
  readonly cached: boolean;
}

/** @internal One span per check, only when tracing is on. */
export class CheckTracer {
  readonly #forced: boolean | undefined;
  readonly #includeSubjectId: boolean;
  #tracer: Tracer | undefined;
  /** Read on every check; refreshed on misses, so a provider registered later is picked up. */
  public on: boolean;

  public constructor(options: TracingOptions = {}) {
    this.#forced = options.enabled;
    this.#includeSubjectId = options.includeSubjectId ?? false;
    this.on = false;
    this.refresh();
  }

  public refresh(): void {
    this.on = this.#forced ?? providerRegistered();
  }

  public start(): Span {
    this.#tracer ??= trace.getTracer('@gatehouse/core');
    return this.#tracer.startSpan('gatehouse.check');
  }

  public end(span: Span, facts: CheckSpanFacts): void {
    const colon = facts.resource.indexOf(':');
    span.setAttributes({
      'gatehouse.tenant': facts.tenant,
      'gatehouse.action': facts.action,
      'gatehouse.resource.type': colon === -1 ? facts.resource : facts.resource.slice(0, colon),
      'gatehouse.decision': facts.allowed ? 'allow' : 'deny',
      'gatehouse.reason': facts.reason,
      'gatehouse.cache_hit': facts.cached,
    });
    if (this.#includeSubjectId) span.setAttribute('gatehouse.subject', facts.subject);
    if (facts.reason !== 'allowed' && facts.reason !== 'denied') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: facts.reason });
    }
    span.end();
  }
}
