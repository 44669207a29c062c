import { describe, expect, it } from '@jest/globals';
import { Public, PUBLIC_METADATA } from '@gatehouse/nestjs';

describe('@Public()', () => {
  it('marks a handler as public', () => {
    class Health {
      @Public()
      public check(): void {}
    }
    expect(Reflect.getMetadata(PUBLIC_METADATA, Health.prototype.check)).toBe(true);
  });

  it('marks every handler of a controller as public', () => {
    @Public()
    class Health {}
    expect(Reflect.getMetadata(PUBLIC_METADATA, Health)).toBe(true);
  });
});
