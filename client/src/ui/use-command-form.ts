import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formErrorsOf, type FormErrors } from './form-errors.ts';

/**
 * The state every task form shares: its error messages and whether a save is under way.
 * `save(record)` records (one command, as the form builds it) and then calls `onDone`; when
 * recording fails it shows why and lets the person correct and try again. A second submit while
 * one is being recorded does nothing: one tap, one command.
 */
export function useCommandForm(onDone: () => void) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);

  async function save(record: () => Promise<unknown>): Promise<void> {
    if (busy) return;
    setBusy(true);
    try {
      await record();
      onDone();
    } catch (caught) {
      setErrors(formErrorsOf(caught, t));
      setBusy(false);
    }
  }

  return { errors, setErrors, busy, save };
}
