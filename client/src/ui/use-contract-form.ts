import { COMMANDS, type CommandInput, type CommandName } from '@cimco/contract';
import { useState } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path, type Resolver } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useDatabase } from '../db/react.ts';
import { formErrorsOf } from './form-errors.ts';
import { issueField, issueText } from './validation.ts';

/**
 * A form that records one command, validated by that command's own schema from the contract (the
 * schema the server applies): react-hook-form holds the fields as typed, `toArgs` turns them into
 * the command's arguments (ids, numbers, nulls for blanks), and every problem the schema finds is
 * shown under its field in the reader's language. Nothing is recorded until the schema accepts it;
 * one submit records one command (a second tap while recording does nothing).
 *
 * Errors are kept under the command's argument names (`errorOf('equipmentId')`), so name a field
 * as its argument where it is one; an edit's `changes.name` lands on `name`.
 *
 * `check` adds the rules that depend on the record rather than the arguments alone (work on a
 * machine needs lock-out/tag-out): the server refuses the same, this says so before recording.
 * `skip` says a submit has nothing to record (an edit that changed nothing): the form just closes.
 */
export function useContractForm<N extends CommandName, V extends FieldValues>({
  command,
  defaultValues,
  toArgs,
  check,
  skip,
  onRecorded,
}: {
  command: N;
  defaultValues: DefaultValues<V>;
  toArgs: (values: V) => CommandInput<N>;
  check?: (args: CommandInput<N>) => Record<string, string>;
  skip?: (values: V) => boolean;
  onRecorded?: (args: CommandInput<N>) => void;
}) {
  const { t } = useTranslation();
  const db = useDatabase();
  const [formError, setFormError] = useState<string>();
  const form = useForm<V>({ defaultValues, resolver: contractResolver(command, toArgs, t, check, skip) });

  const submit = form.handleSubmit(async (values) => {
    if (skip?.(values)) {
      onRecorded?.(toArgs(values));
      return;
    }
    setFormError(undefined);
    const args = toArgs(values);
    try {
      await db.record(command, args);
    } catch (caught) {
      const errors = formErrorsOf(caught, t);
      for (const [field, message] of Object.entries(errors.fields)) form.setError(field as Path<V>, { type: 'command', message });
      setFormError(errors.form);
      return;
    }
    onRecorded?.(args);
  });

  return { form, submit, formError, busy: form.formState.isSubmitting, errorOf: (argument: string) => fieldError(form.formState.errors, argument) };
}

function contractResolver<N extends CommandName, V extends FieldValues>(
  command: N,
  toArgs: (values: V) => CommandInput<N>,
  t: TFunction,
  check?: (args: CommandInput<N>) => Record<string, string>,
  skip?: (values: V) => boolean,
): Resolver<V> {
  // Our own resolver rather than @hookform/resolvers' zodResolver: the contract's messages are
  // English, and each issue is rebuilt in the reader's language from its code (validation.ts).
  return (values) => {
    let args: unknown;
    try {
      args = toArgs(values);
    } catch (caught) {
      return { values: {}, errors: { root: { type: 'form', message: caught instanceof Error ? caught.message : String(caught) } } as never };
    }
    if (skip?.(values)) return { values, errors: {} };
    const parsed = COMMANDS[command].args.safeParse(args);
    const errors: Record<string, { type: string; message: string }> = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors[issueField(issue) ?? 'root'] ??= { type: issue.code, message: issueText(issue, t) };
    }
    for (const [field, message] of Object.entries(check?.(args as CommandInput<N>) ?? {})) errors[field] ??= { type: 'check', message };
    if (Object.keys(errors).length === 0) return { values, errors: {} };
    return { values: {}, errors: errors as never };
  };
}

function fieldError(errors: Record<string, unknown>, field: string): string | undefined {
  const error = errors[field] as { message?: unknown } | undefined;
  return typeof error?.message === 'string' ? error.message : undefined;
}
