/**
 * A small checker for the subset of JSON Schema that src/api/schemas.ts uses, for input that does
 * not come through Fastify (the peer stream): the same schema objects, so that a transaction or a
 * block is held to one form whichever way it arrives. Strings are measured in UTF-16 units, which
 * is never fewer than the code points Fastify's validator counts, so nothing passes here that fails
 * there.
 */

interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer';
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: Schema;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: boolean;
  readonly anyOf?: readonly Schema[];
}

const patterns = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}

/** Why `value` does not match `schema`, naming the field, or undefined when it matches. */
export function schemaError(schema: Schema, value: unknown): string | undefined {
  const path: Array<string | number> = [];
  const reason = firstError(schema, value, path);
  return reason === undefined ? undefined : `${path.length > 0 ? '/' + path.join('/') : 'the value'} ${reason}`;
}

/**
 * The first mismatch's reason, with `path` left naming its field. `path` is a stack pushed and
 * popped on the way, so that a value that matches (the usual case) costs no allocation.
 */
function firstError(schema: Schema, value: unknown, path: Array<string | number>): string | undefined {
  if (schema.anyOf) {
    const depth = path.length;
    for (const s of schema.anyOf) {
      if (firstError(s, value, path) === undefined) return undefined;
      path.length = depth;
    }
    return 'matches none of the allowed forms';
  }
  if (schema.enum && !schema.enum.includes(value)) return `must be one of ${schema.enum.join(', ')}`;
  switch (schema.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (schema.minimum !== undefined && value < schema.minimum) return `must be >= ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `must be <= ${schema.maximum}`;
      return undefined;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return `must be at most ${schema.maxLength} characters`;
      if (schema.minLength !== undefined && value.length < schema.minLength) return `must be at least ${schema.minLength} characters`;
      if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) return `must match ${schema.pattern}`;
      return undefined;
    case 'array': {
      if (!Array.isArray(value)) return 'must be an array';
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return `must have at most ${schema.maxItems} items`;
      if (schema.minItems !== undefined && value.length < schema.minItems) return `must have at least ${schema.minItems} items`;
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          const reason = firstError(schema.items, value[i], path);
          if (reason !== undefined) return reason;
          path.pop();
        }
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!Object.hasOwn(record, key)) return `must have property ${key}`;
      const properties = schema.properties ?? {};
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
        if (!sub) {
          if (schema.additionalProperties === false) return `has an unknown property "${key.slice(0, 64)}"`;
          continue;
        }
        path.push(key);
        const reason = firstError(sub, record[key], path);
        if (reason !== undefined) return reason;
        path.pop();
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
