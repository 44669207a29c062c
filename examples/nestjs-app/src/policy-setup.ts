import type { Pdp } from '@gatehouse/core';

import type { DocumentStore } from './document.store.js';
import type { PolicyWriter } from './policy-writer.js';

/** What the app runs on: a PDP to ask, a writer for new facts, and the documents. */
export interface PolicySetup {
  readonly pdp: Pdp;
  readonly writer: PolicyWriter;
  readonly documents: DocumentStore;
  readonly mode: 'embedded' | 'remote';
}
