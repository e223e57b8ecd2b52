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

/** A compiled schema: the first mismatch's reason, with `path` left naming its field. */
type Check = (value: unknown, path: Array<string | number>) => string | undefined;

const compiled = new WeakMap<Schema, Check>();

/** Why `value` does not match `schema`, naming the field, or undefined when it matches. */
export function schemaError(schema: Schema, value: unknown): string | undefined {
  const path: Array<string | number> = [];
  const reason = compile(schema)(value, path);
  return reason === undefined ? undefined : `${path.length > 0 ? '/' + path.join('/') : 'the value'} ${reason}`;
}

/**
 * Each schema is turned once into a tree of small closures, one per schema node, each knowing its
 * own limits: every frame from a peer is checked, and walking the schema objects for every value
 * (an interpreter reading `schema.type`, `schema.maxLength`, … each time) cost about twice as much.
 * `path` is a stack pushed and popped on the way, so that a value that matches (the usual case)
 * costs no allocation.
 */
function compile(schema: Schema): Check {
  let check = compiled.get(schema);
  if (!check) {
    check = build(schema);
    compiled.set(schema, check);
  }
  return check;
}

function build(schema: Schema): Check {
  if (schema.anyOf) {
    const forms = schema.anyOf.map(compile);
    return (value, path) => {
      const depth = path.length;
      for (const form of forms) {
        if (form(value, path) === undefined) return undefined;
        path.length = depth;
      }
      return 'matches none of the allowed forms';
    };
  }
  const typed = buildType(schema);
  const allowed = schema.enum;
  if (!allowed) return typed;
  const refusal = `must be one of ${allowed.join(', ')}`;
  return (value, path) => (allowed.includes(value) ? typed(value, path) : refusal);
}

function buildType(schema: Schema): Check {
  switch (schema.type) {
    case 'integer': {
      const { minimum, maximum } = schema;
      return (value) => {
        if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
        if (minimum !== undefined && value < minimum) return `must be >= ${minimum}`;
        if (maximum !== undefined && value > maximum) return `must be <= ${maximum}`;
        return undefined;
      };
    }
    case 'string': {
      const { minLength, maxLength, pattern } = schema;
      const re = pattern === undefined ? undefined : new RegExp(pattern, 'u');
      return (value) => {
        if (typeof value !== 'string') return 'must be a string';
        if (maxLength !== undefined && value.length > maxLength) return `must be at most ${maxLength} characters`;
        if (minLength !== undefined && value.length < minLength) return `must be at least ${minLength} characters`;
        if (re !== undefined && !re.test(value)) return `must match ${pattern}`;
        return undefined;
      };
    }
    case 'array': {
      const { minItems, maxItems } = schema;
      const item = schema.items ? compile(schema.items) : undefined;
      return (value, path) => {
        if (!Array.isArray(value)) return 'must be an array';
        if (maxItems !== undefined && value.length > maxItems) return `must have at most ${maxItems} items`;
        if (minItems !== undefined && value.length < minItems) return `must have at least ${minItems} items`;
        if (item) {
          for (let i = 0; i < value.length; i++) {
            path.push(i);
            const reason = item(value[i], path);
            if (reason !== undefined) return reason;
            path.pop();
          }
        }
        return undefined;
      };
    }
    case 'object': {
      const required = schema.required ?? [];
      const properties = new Map(Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, compile(sub)]));
      const closed = schema.additionalProperties === false;
      return (value, path) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
        const record = value as Record<string, unknown>;
        for (const key of required) if (!Object.hasOwn(record, key)) return `must have property ${key}`;
        for (const key in record) {
          if (!Object.hasOwn(record, key)) continue;
          const sub = properties.get(key);
          if (!sub) {
            if (closed) return `has an unknown property "${key.slice(0, 64)}"`;
            continue;
          }
          path.push(key);
          const reason = sub(record[key], path);
          if (reason !== undefined) return reason;
          path.pop();
        }
        return undefined;
      };
    }
    default:
      return () => undefined;
  }
}
