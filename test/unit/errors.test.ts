import { describe, expect, it } from 'vitest';
import { ensure, ProtocolError } from '../../src/core/errors.js';
import { protocolError } from './fixtures.js';

describe('ProtocolError and ensure', () => {
  it('a protocol error names itself, carries its code and, for a block, the cause', () => {
    const err = new ProtocolError('INVALID_TRANSACTION', 'block 3: bad', 'NONCE_USED');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ProtocolError');
    expect(String(err)).toMatch(/^ProtocolError: /);
    expect(err.code).toBe('INVALID_TRANSACTION');
    expect(err.cause_code).toBe('NONCE_USED');
  });

  it('ensure passes on a truthy condition and throws the code with the message otherwise', () => {
    expect(() => ensure(1, 'MALFORMED', 'never')).not.toThrow();
    const err = protocolError(() => ensure(0, 'POOL_FULL', 'full'));
    expect(err.code).toBe('POOL_FULL');
    expect(err.message).toBe('full');
  });
});
