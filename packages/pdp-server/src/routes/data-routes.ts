import { formatAttribute, formatTuple, InvalidRequestError } from '@gatehouse/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audited, sample } from '../audit-hook.js';
import { overLimit } from '../http-error.js';
import { defined, nonEmpty, pathTenant } from '../route-context.js';
import type { RouteContext } from '../route-context.js';
import {
  attributeFilterFromWire,
  attributeFromWire,
  attributeToWire,
  tupleFilterFromWire,
  tupleFromWire,
  tupleToWire,
} from '../wire.js';
import type { WireAttribute, WireAttributeFilter, WireTuple, WireTupleFilter } from '../wire.js';

interface WriteBody {
  metadata?: { schema_version?: string };
  tuples?: (string | WireTuple)[];
  attributes?: (string | WireAttribute)[];
}

interface ReadBody {
  metadata?: { snap_token?: string };
  page_size?: number;
  continuous_token?: string;
}

/** Permify's data API: writes, deletes and reads of relationships and attributes. */
export function dataRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { engine, schemas, limits } = ctx;

  async function write(request: FastifyRequest, tenant: string, body: WriteBody): Promise<{ snap_token: string }> {
    const tuples = (body.tuples ?? []).map((t) => tupleFromWire(t));
    const attributes = (body.attributes ?? []).map((a, i) => attributeFromWire(a, `attributes[${String(i)}]`));
    const n = tuples.length + attributes.length;
    if (n === 0) throw new InvalidRequestError('nothing to write: give at least one tuple or attribute');
    if (n > limits.maxWriteSize) throw overLimit('tuples plus attributes', limits.maxWriteSize, n);
    const details = { tuples: sample(tuples.map(formatTuple)), attributes: sample(attributes.map(formatAttribute)) };
    const { snapToken } = await audited(ctx, request, tenant, 'data.write', details, () =>
      engine.write(defined({ tenant, tuples, attributes, schemaVersion: nonEmpty(body.metadata?.schema_version) })),
    );
    return { snap_token: snapToken };
  }

  app.post('/v1/tenants/:tenant/data/write', { schema: { body: schemas.dataWrite } }, async (request) =>
    await write(request, pathTenant(request), request.body as WriteBody),
  );

  app.post('/v1/tenants/:tenant/relationships/write', { schema: { body: schemas.relationshipsWrite } }, async (request) => {
    const body = request.body as WriteBody;
    return await write(request, pathTenant(request), defined({ metadata: body.metadata, tuples: body.tuples }));
  });

  app.post('/v1/tenants/:tenant/data/delete', { schema: { body: schemas.dataDelete } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as { tuple_filter?: WireTupleFilter; attribute_filter?: WireAttributeFilter; tuples?: (string | WireTuple)[] };
    const tupleFilter = tupleFilterFromWire(body.tuple_filter);
    const attributeFilter = attributeFilterFromWire(body.attribute_filter);
    const tuples = (body.tuples ?? []).map((t) => tupleFromWire(t));
    const hasTupleFilter = Object.keys(tupleFilter).length > 0;
    const hasAttributeFilter = Object.keys(attributeFilter).length > 0;
    if (!hasTupleFilter && !hasAttributeFilter && tuples.length === 0) {
      throw new InvalidRequestError('nothing to delete: tuple_filter and attribute_filter are both empty (a delete-everything filter is refused)');
    }
    const details = { tuples: sample(tuples.map(formatTuple)), tuple_filter: tupleFilter, attribute_filter: attributeFilter };
    const { snapToken } = await audited(ctx, request, tenant, 'data.delete', details, () => engine.delete(
      defined({
        tenant,
        tuples: tuples.length > 0 ? tuples : undefined,
        tupleFilter: hasTupleFilter ? tupleFilter : undefined,
        attributeFilter: hasAttributeFilter ? attributeFilter : undefined,
      }),
    ));
    return { snap_token: snapToken };
  });

  app.post('/v1/tenants/:tenant/relationships/delete', { schema: { body: schemas.relationshipsDelete } }, async (request) => {
    const tenant = pathTenant(request);
    const tupleFilter = tupleFilterFromWire((request.body as { filter: WireTupleFilter }).filter);
    if (Object.keys(tupleFilter).length === 0) {
      throw new InvalidRequestError('nothing to delete: the filter is empty (a delete-everything filter is refused)');
    }
    const { snapToken } = await audited(ctx, request, tenant, 'data.delete', { tuple_filter: tupleFilter }, () => engine.delete({ tenant, tupleFilter }));
    return { snap_token: snapToken };
  });

  app.post('/v1/tenants/:tenant/data/relationships/read', { schema: { body: schemas.relationshipsRead } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as ReadBody & { filter?: WireTupleFilter };
    const page = await engine.readRelationships(
      defined({
        tenant,
        filter: tupleFilterFromWire(body.filter),
        snapToken: nonEmpty(body.metadata?.snap_token),
        pageSize: body.page_size === 0 ? undefined : body.page_size,
        continuousToken: nonEmpty(body.continuous_token),
      }),
    );
    return { tuples: page.tuples.map(tupleToWire), continuous_token: page.continuousToken };
  });

  app.post('/v1/tenants/:tenant/data/attributes/read', { schema: { body: schemas.attributesRead } }, async (request) => {
    const tenant = pathTenant(request);
    const body = request.body as ReadBody & { filter?: WireAttributeFilter };
    const page = await engine.readAttributes(
      defined({
        tenant,
        filter: attributeFilterFromWire(body.filter),
        snapToken: nonEmpty(body.metadata?.snap_token),
        pageSize: body.page_size === 0 ? undefined : body.page_size,
        continuousToken: nonEmpty(body.continuous_token),
      }),
    );
    return { attributes: page.attributes.map(attributeToWire), continuous_token: page.continuousToken };
  });
}
