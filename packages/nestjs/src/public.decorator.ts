import { SetMetadata } from '@nestjs/common';
import type { CustomDecorator } from '@nestjs/common';

import { PUBLIC_METADATA } from './constants.js';

/**
 * Marks a route (or every route of a controller) as public: the {@link PermissionGuard} lets it through
 * without resolving the tenant or the subject, and does not set `req.gate`. Read before any `@Permission()`.
 *
 * @example
 * ```ts
 * @Get('health')
 * @Public()
 * health() { return { ok: true }; }
 * ```
 * @publicApi
 */
export function Public(): CustomDecorator {
  return SetMetadata(PUBLIC_METADATA, true);
}
