import type { z } from 'zod';

/**
 * Text nobody types and the database cannot keep, refused once at the boundary (every route's
 * body and query, every command's arguments, the shape request's parameters):
 * - NUL: PostgreSQL text cannot hold it (the query fails, which used to surface as a 500);
 * - other C0 and C1 control characters (tab, line feed and carriage return are text);
 * - lone UTF-16 surrogates: they have no UTF-8 form, so they would be silently replaced;
 * - the noncharacters U+FFFE and U+FFFF.
 */
const INVALID_CHARACTER =
  // The point of this pattern is to match control characters.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface InvalidText {
  path: (string | number)[];
  message: string;
}

function describe(text: string): string | undefined {
  const match = INVALID_CHARACTER.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const name = code === 0 ? 'a NUL character' : `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains ${name} (position ${match.index + 1}): remove it and send plain text`;
}

/**
 * Every string (and object key) in `value` holding a character above, with its path. Walks with
 * its own stack: a hostile body nested a million levels deep must not overflow the call stack.
 */
export function invalidText(value: unknown): InvalidText[] {
  const found: InvalidText[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const message = describe(item.value);
      if (message) found.push({ path: item.path, message });
    } else if (Array.isArray(item.value)) {
      item.value.forEach((element, index) => stack.push({ value: element, path: [...item.path, index] }));
    } else if (item.value !== null && typeof item.value === 'object') {
      for (const [key, element] of Object.entries(item.value)) {
        const message = describe(key);
        if (message) found.push({ path: [...item.path, key], message: `has a name that ${message}` });
        stack.push({ value: element, path: [...item.path, key] });
      }
    }
  }
  return found.reverse();
}

/** `schema`, also refusing invalid characters in any string it accepts, naming the field. */
export function withValidText<S extends z.ZodType>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    for (const { path, message } of invalidText(value)) ctx.addIssue({ code: 'custom', path, message });
  });
}
