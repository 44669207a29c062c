import { describe, expect, it, jest } from '@jest/globals';

import { FailOpenWarning } from '../src/internal/fail-open-warning.js';

describe('FailOpenWarning', () => {
  it('warns at once, then at most once per interval, counting the fail-open decisions it skipped', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      let now = 1_000;
      const warning = new FailOpenWarning(60_000, () => now);
      warning.warn('acme', 'read', 'document:1');
      warning.warn('acme', 'read', 'document:2');
      warning.warn('globex', 'edit', 'report');
      expect(warn).toHaveBeenCalledTimes(1);
      now += 60_000;
      warning.warn('globex', 'edit', 'document:3');
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1]?.[0])).toMatch(/"edit" on document:3 in tenant globex .*\(2 more fail-open decisions since the last warning\)/);
    } finally {
      warn.mockRestore();
    }
  });
});
