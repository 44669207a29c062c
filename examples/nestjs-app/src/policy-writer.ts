/** Writes the facts the service creates (owners, viewers, the `public` attribute) to the PDP's store. */
export interface PolicyWriter {
  /** Adds tuples and attributes in their string forms (`document:1#owner@user:alice`, `document:1$public|boolean:true`). */
  write(tenant: string, tuples: string[], attributes?: string[]): Promise<void>;
  /** Removes every tuple and attribute of a document. */
  forgetDocument(tenant: string, id: string): Promise<void>;
  /** Releases what the writer and its PDP hold (engine, sockets, change stream). */
  close(): Promise<void>;
}

/** Injection token of the {@link PolicyWriter}. */
export const POLICY_WRITER = Symbol('PolicyWriter');
