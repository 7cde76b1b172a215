import { PRIORITIES, TASK_CATEGORIES } from '@cimco/contract';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { priorityKey } from './task-model.ts';

/**
 * A labelled form field with its error underneath. `children` gets the input's id and the error's
 * id (for aria-describedby).
 */
export function Field({
  label,
  error,
  hint,
  className,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  className?: string;
  children: (ids: { id: string; errorId: string; describedBy: string | undefined }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, errorId, describedBy })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function PriorityOptions() {
  const { t } = useTranslation();
  return (
    <>
      {[...PRIORITIES].reverse().map((priority) => (
        <option key={priority} value={priority}>
          {`${priority} · ${t(`tasks.priorities.${priorityKey(priority)}`)}`}
        </option>
      ))}
    </>
  );
}

export function CategoryOptions() {
  const { t } = useTranslation();
  return (
    <>
      {TASK_CATEGORIES.map((category) => (
        <option key={category} value={category}>
          {t(`tasks.categories.${category}`)}
        </option>
      ))}
    </>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p className="error form-error" role="alert">
      {message}
    </p>
  );
}
