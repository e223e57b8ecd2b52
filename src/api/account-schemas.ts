/** Schemas of the routes of any address (GET /accounts/:address/…) and of POST /transactions. */
import { addressSchema } from './schemas.js';

export const addressParamsSchema = {
  type: 'object',
  required: ['address'],
  properties: { address: addressSchema },
} as const;

/** Most transactions one GET /accounts/:address/transactions answers. */
export const MAX_ADDRESS_TXS = 500;

export const addressTxQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    before: { type: 'string', pattern: '^[0-9]{1,15}$' },
    type: { enum: ['coins', 'message', 'stake'] },
    direction: { enum: ['in', 'out'] },
    with: addressSchema,
  },
} as const;

/** GET /transactions?prefix=HEX: 4 to 64 lower-case hex characters. */
export const txPrefixQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['prefix'],
  properties: {
    prefix: { type: 'string', pattern: '^[0-9a-f]{4,64}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
  },
} as const;

/** Most transactions one GET /transactions?prefix= answers. */
export const MAX_PREFIX_MATCHES = 100;
