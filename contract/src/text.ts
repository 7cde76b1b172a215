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
 * its own stack, each entry pointing at its parent (a path is only built for what is reported):
 * a hostile body nested a hundred thousand levels deep costs one step per value, never a copied
 * path per level, and cannot overflow the call stack.
 */
export function invalidText(value: unknown): InvalidText[] {
  interface Step {
    value: unknown;
    key: string | number | undefined;
    parent: Step | undefined;
  }
  const pathOf = (step: Step): (string | number)[] => {
    const path: (string | number)[] = [];
    for (let s: Step | undefined = step; s?.key !== undefined; s = s.parent) path.push(s.key);
    return path.reverse();
  };
  const found: InvalidText[] = [];
  const stack: Step[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if (typeof step.value === 'string') {
      const message = describe(step.value);
      if (message) found.push({ path: pathOf(step), message });
    } else if (Array.isArray(step.value)) {
      for (let i = step.value.length - 1; i >= 0; i--) stack.push({ value: step.value[i], key: i, parent: step });
    } else if (step.value !== null && typeof step.value === 'object') {
      const entries = Object.entries(step.value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, element] = entries[i]!;
        const message = describe(key);
        if (message) found.push({ path: [...pathOf(step), key], message: `has a name that ${message}` });
        stack.push({ value: element, key, parent: step });
      }
    }
  }
  return found;
}

/** `schema`, also refusing invalid characters in any string it accepts, naming the field. */
export function withValidText<S extends z.ZodType>(schema: S): S {
  return schema.superRefine((value, ctx) => {
    for (const { path, message } of invalidText(value)) ctx.addIssue({ code: 'custom', path, message, params: { code: 'invalid_characters' } });
  });
}
