import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { ID_PATTERN, planPredicate } from '@gatehouse/core';
import type { BoundGate, Subject as GatehouseSubject } from '@gatehouse/core';
import { fromParam, Gate, Permission, Subject, Tenant } from '@gatehouse/nestjs';

import { DocumentStore } from './document.store.js';
import { UNAUTHENTICATED } from './fake-auth.guard.js';
import { POLICY_WRITER } from './policy-writer.js';
import type { PolicyWriter } from './policy-writer.js';
import type { DocumentRecord } from './seed.js';

const byId = { id: fromParam('id') };

/** Where a query plan finds the document's id and attributes in a {@link DocumentRecord}. */
const DOCUMENT_COLUMNS = { id: 'id', fields: { public: 'public' } };

/** The document service. Every route states the permission it needs; the PermissionGuard enforces it. */
@Controller('documents')
export class DocumentsController {
  public constructor(
    @Inject(DocumentStore) private readonly docs: DocumentStore,
    @Inject(POLICY_WRITER) private readonly policy: PolicyWriter,
  ) {}

  /**
   * The documents the user may view: one query plan, not one check per document. The plan says which rows
   * qualify (`always`, `never`, or a condition such as "id in [...] or public"); the rows are filtered by it here,
   * in memory, as `@gatehouse/prisma` / `@gatehouse/drizzle` would turn it into a database `where`.
   */
  @Get()
  public async list(@Gate() gate: BoundGate | undefined): Promise<DocumentRecord[]> {
    if (gate === undefined) throw new UnauthorizedException(UNAUTHENTICATED);
    const plan = await gate.plan('view', 'document');
    return this.docs.list(gate.tenant).filter(planPredicate(plan, DOCUMENT_COLUMNS));
  }

  @Get(':id')
  @Permission('view', 'document', byId)
  public get(@Tenant() tenant: string, @Param('id') id: string): DocumentRecord {
    return this.found(tenant, id);
  }

  /** Creating is a type-level check: editors and admins of the tenant may. The creator becomes the owner. */
  @Post()
  @Permission('create', 'document')
  public async create(
    @Tenant() tenant: string,
    @Subject() subject: GatehouseSubject,
    @Body() body: { id?: unknown; title?: unknown; body?: unknown },
  ): Promise<DocumentRecord> {
    const id = body.id ?? `doc-${Date.now().toString(36)}`;
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || id === '*') throw new BadRequestException('id: letters, digits and "_-@.:+" only');
    if (typeof body.title !== 'string' || body.title === '') throw new BadRequestException('title: a non-empty string');
    if (this.docs.get(tenant, id) !== undefined) throw new BadRequestException(`document ${id} exists`);
    const doc = { id, title: body.title, body: typeof body.body === 'string' ? body.body : '' };
    await this.policy.write(tenant, [`document:${id}#owner@user:${subject.id}`]);
    this.docs.put(tenant, doc);
    return doc;
  }

  /** Owners, editors and admins may edit; `public: true|false` sets the ABAC attribute (in the PDP and the row). */
  @Patch(':id')
  @Permission('edit', 'document', byId)
  public async update(
    @Tenant() tenant: string,
    @Param('id') id: string,
    @Body() body: { title?: unknown; body?: unknown; public?: unknown },
  ): Promise<DocumentRecord> {
    const doc = this.found(tenant, id);
    if (typeof body.title === 'string') doc.title = body.title;
    if (typeof body.body === 'string') doc.body = body.body;
    if (typeof body.public === 'boolean') {
      await this.policy.write(tenant, [], [`document:${id}$public|boolean:${String(body.public)}`]);
      doc.public = body.public;
    }
    return doc;
  }

  /** Owners and admins may let another user view the document. */
  @Post(':id/viewers')
  @HttpCode(204)
  @Permission('share', 'document', byId)
  public async share(@Tenant() tenant: string, @Param('id') id: string, @Body() body: { user?: unknown }): Promise<void> {
    this.found(tenant, id);
    if (typeof body.user !== 'string' || !ID_PATTERN.test(body.user) || body.user === '*') throw new BadRequestException('user: a user id');
    await this.policy.write(tenant, [`document:${id}#viewer@user:${body.user}`]);
  }

  @Delete(':id')
  @HttpCode(204)
  @Permission('delete', 'document', byId)
  public async remove(@Tenant() tenant: string, @Param('id') id: string): Promise<void> {
    this.found(tenant, id);
    await this.policy.forgetDocument(tenant, id);
    this.docs.delete(tenant, id);
  }

  private found(tenant: string, id: string): DocumentRecord {
    const doc = this.docs.get(tenant, id);
    if (doc === undefined) throw new NotFoundException(`no document ${id} in tenant ${tenant}`);
    return doc;
  }
}
