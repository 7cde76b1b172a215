import type { TFunction } from 'i18next';
import { ZodError } from 'zod';
import { CommandNotAllowedError } from '../outbox/record-command.ts';
import { issueField, issueText } from './validation.ts';

/** What went wrong with a command, for a form: messages per field, and one for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  form?: string;
}

/**
 * A ZodError names the fields (`title`, or `changes.title` for an edit): each message goes under
 * its field, in the reader's language. A refusal on the tablet (role, no session) and anything
 * else go to the whole form.
 */
export function formErrorsOf(error: unknown, t: TFunction): FormErrors {
  if (error instanceof ZodError) {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) fields[issueField(issue) ?? '_form'] ??= issueText(issue, t);
    const { _form: form, ...rest } = fields;
    return { fields: rest, form };
  }
  if (error instanceof CommandNotAllowedError) return { fields: {}, form: t('common.notAllowed') };
  return { fields: {}, form: error instanceof Error ? error.message : String(error) };
}
