import { useId, type ReactNode } from 'react';

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

/** A checkbox with its label beside it, as one large touch target. */
export function CheckboxField({ label, error, children }: { label: string; error?: string; children: (ids: { id: string; describedBy: string | undefined }) => ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label className="checkbox-label" htmlFor={id}>
        {children({ id, describedBy: error ? errorId : undefined })}
        <span>{label}</span>
      </label>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** What went wrong for the whole form (not one field). */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p className="error form-error" role="alert">
      {message}
    </p>
  );
}

/**
 * A form's two buttons: record (disabled while recording: one tap, one command) and go back.
 * `danger` for a form whose submit undoes something (cancel a task, an order).
 */
export function FormActions({
  submitLabel,
  busy,
  backLabel,
  onBack,
  danger = false,
}: {
  submitLabel: string;
  busy: boolean;
  backLabel: string;
  onBack: () => void;
  danger?: boolean;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
        {submitLabel}
      </button>
      <button type="button" className="secondary" onClick={onBack}>
        {backLabel}
      </button>
    </div>
  );
}
