import { describe, expect, it } from '@jest/globals';
import { DepthExceededError, EvaluationError, InvalidRequestError, PdpUnavailableError } from '@gatehouse/core';
import {
  callErrorAnswer,
  deniedAnswer,
  describeCheck,
  errorAnswer,
  httpAnswer,
  unauthenticatedAnswer,
} from '@gatehouse/core/adapter';

describe('HTTP answers', () => {
  it('uses the HTTP title as error and keeps the machine-readable reason', () => {
    expect(unauthenticatedAnswer()).toEqual({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: expect.any(String), reason: 'unauthenticated' },
    });
    expect(httpAnswer(400, 'no tenant', 'missing_tenant')).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'no tenant', reason: 'missing_tenant' },
    });
  });

  it('answers a denial 403 with the decision reason and names the check', () => {
    expect(deniedAnswer({ reason: 'denied' }, describeCheck('edit', 'document:1'))).toEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'permission "edit" on document:1 denied', reason: 'denied' },
    });
    expect(deniedAnswer({}, describeCheck('edit', 'document')).body.reason).toBe('denied');
    expect(deniedAnswer({ reason: 'depth_exceeded' }, 'x').body).toMatchObject({ statusCode: 403, error: 'Forbidden', reason: 'depth_exceeded' });
  });

  it('answers an outage 403 (fail closed) unless outages are surfaced, then 503', () => {
    expect(deniedAnswer({ reason: 'pdp_unavailable' }, 'x')).toMatchObject({ status: 403, body: { reason: 'pdp_unavailable' } });
    expect(deniedAnswer({ reason: 'pdp_unavailable' }, 'x', { surfaceOutages: true })).toMatchObject({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', reason: 'pdp_unavailable' },
    });
  });

  it("maps a check's errors to answers and leaves other errors to the framework", () => {
    const what = describeCheck('edit', 'document:1');
    expect(errorAnswer(new InvalidRequestError('bad id'), what)).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'bad id', reason: 'invalid_request' },
    });
    expect(errorAnswer(new PdpUnavailableError('down'), what, { surfaceOutages: true })?.status).toBe(503);
    expect(errorAnswer(new PdpUnavailableError('down'), what)?.status).toBe(403);
    expect(errorAnswer(new DepthExceededError(50), what)?.body.reason).toBe('depth_exceeded');
    expect(errorAnswer(new EvaluationError('boom'), what)?.body.reason).toBe('evaluation_error');
    expect(errorAnswer(new TypeError('bug'), what)).toBeUndefined();
  });

  it('answers a failed call without a fail-closed value 503 (400 for bad input)', () => {
    expect(callErrorAnswer(new PdpUnavailableError('down'))).toMatchObject({ status: 503, body: { reason: 'pdp_unavailable' } });
    expect(callErrorAnswer(new InvalidRequestError('bad'))).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect(callErrorAnswer(new Error('bug'))).toBeUndefined();
  });
});
