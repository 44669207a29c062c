import { fromPathParam } from '@gatehouse/core';

/**
 * Reads a route parameter: `fromParam('id')` → `req.params.id`. Core's `fromPathParam` under the name Express
 * and Nest users expect; works as a tenant resolver and as a resource id in `authorize()`.
 * @example
 * ```ts
 * app.get('/documents/:id', authorize('view', { type: 'document', id: fromParam('id') }), show);
 * ```
 */
export const fromParam = fromPathParam;
