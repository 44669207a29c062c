/**
 * What `p` rejects with; fails the test when it resolves.
 * @returns the rejection reason.
 */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
