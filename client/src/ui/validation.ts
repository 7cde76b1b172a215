import type { TFunction } from 'i18next';
import type { z } from 'zod';

/**
 * A contract validation problem in the reader's language. The contract's messages are English
 * (the server's answers and logs use them); here each is rebuilt from the issue's code and limits,
 * and a refinement by the `params.code` the contract gives it — so a Spanish form never shows
 * "is required". Unknown issues keep the contract's text.
 */
export function issueText(issue: z.core.$ZodIssue, t: TFunction): string {
  const limit = (value: unknown) => (typeof value === 'bigint' ? Number(value) : (value as number));
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return limit(issue.minimum) <= 1 ? t('validation.required') : t('validation.tooShort', { min: limit(issue.minimum) });
      if (issue.origin === 'array') return t('validation.required');
      return t('validation.atLeast', { min: limit(issue.minimum) });
    case 'too_big':
      if (issue.origin === 'string') return t('validation.tooLong', { max: limit(issue.maximum) });
      return t('validation.atMost', { max: limit(issue.maximum) });
    case 'invalid_type':
      // Letters where a number goes: the form turned them into NaN (zod reports it, not the input).
      if ((issue as { received?: unknown }).received === 'NaN') return issue.expected === 'int' ? t('validation.wholeNumber') : t('validation.number');
      if (issue.input === undefined || issue.input === null || issue.input === '') return t('validation.required');
      if (issue.expected === 'int') return t('validation.wholeNumber');
      if (issue.expected === 'number') return t('validation.number');
      return t('validation.invalid');
    case 'invalid_format':
      if (issue.format === 'date') return t('validation.date');
      if (issue.format === 'regex') return t('validation.pattern');
      return t('validation.invalid');
    case 'invalid_value':
      return t('validation.choose');
    case 'not_multiple_of':
      return t('validation.cents');
    case 'custom': {
      const code = (issue.params as { code?: string } | undefined)?.code;
      if (code && CUSTOM_CODES.has(code)) return t(`validation.custom.${code as CustomCode}`);
      return issue.message;
    }
    default:
      return issue.message;
  }
}

const CUSTOM = ['loto_required', 'reading_required', 'not_zero', 'used_negative', 'received_positive', 'invalid_characters', 'pm_every', 'pm_next_due'] as const;
type CustomCode = (typeof CUSTOM)[number];
const CUSTOM_CODES: ReadonlySet<string> = new Set(CUSTOM);

/** The form field an issue belongs to: the last named step of its path, past an edit's `changes`/`base`. */
export function issueField(issue: z.core.$ZodIssue): string | undefined {
  return [...issue.path].reverse().find((part): part is string => typeof part === 'string' && part !== 'changes' && part !== 'base');
}
