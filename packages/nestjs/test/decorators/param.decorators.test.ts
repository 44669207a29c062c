import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { Gate, Subject, Tenant } from '@gatehouse/nestjs';

type Factory = (data: unknown, context: ExecutionContext) => unknown;

/** The factory Nest calls for the first parameter decorated with `decorator`. */
function factoryOf(decorator: () => ParameterDecorator): Factory {
  class Route {
    public handle(@decorator() _value: unknown): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Route, 'handle') as Record<string, { factory: Factory }>;
  const first = Object.values(args)[0];
  if (first === undefined) throw new Error('no parameter metadata');
  return first.factory;
}

function contextOf(req: object): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

const gate = { tenant: 'acme', subject: { type: 'user', id: 'alice' } };

describe('parameter decorators', () => {
  it('@Tenant() gives the tenant of req.gate', () => {
    expect(factoryOf(Tenant)(undefined, contextOf({ gate }))).toBe('acme');
  });

  it('@Subject() gives the subject of req.gate', () => {
    expect(factoryOf(Subject)(undefined, contextOf({ gate }))).toEqual({ type: 'user', id: 'alice' });
  });

  it('@Gate() gives req.gate itself', () => {
    expect(factoryOf(Gate)(undefined, contextOf({ gate }))).toBe(gate);
  });

  it('give undefined when the guard bound nothing (a @Public() route)', () => {
    for (const decorator of [Tenant, Subject, Gate]) expect(factoryOf(decorator)(undefined, contextOf({}))).toBeUndefined();
  });
});
