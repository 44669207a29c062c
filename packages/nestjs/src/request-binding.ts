import type { BoundGate, RequestLike } from '@gatehouse/core';

/** A request as the guard sees it: what every platform gives, plus `gate` once bound. */
export type GatehouseRequest = RequestLike & { gate?: BoundGate };
