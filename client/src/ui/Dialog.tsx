import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import './ui.css';

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Moves focus into `container` when it appears: to the element marked `data-autofocus`, else the
 * first field or button. Forms that replace each other inside one dialog call it too.
 */
export function useFocusInside(container: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    const target = root.querySelector<HTMLElement>('[data-autofocus]') ?? root.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
  }, [container]);
}

/**
 * A modal dialog (the native <dialog>): focus moves into it and is trapped there, Escape closes
 * it, and focus returns to what opened it. `label` names the dialog for assistive technology; it
 * is a fixed text (not, say, a task's title), so a label lookup in tests finds only the fields.
 */
export function Dialog({
  label,
  heading,
  onClose,
  className,
  children,
  testId,
}: {
  label: string;
  heading: ReactNode;
  onClose: () => void;
  className?: string;
  children: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);

  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // The marked element, else the first field or button of the content (not the Close button).
    const inBody = FOCUSABLE.split(', ').map((selector) => `.dialog-body ${selector}`).join(', ');
    const target = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(inBody);
    target?.focus();
    // Escape (or the browser's own close request): let React close it.
    const onCancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} className={`cy-dialog ${className ?? ''}`} aria-label={label} data-testid={testId}>
      <header className="dialog-header">
        <h2 className="dialog-heading">
          {heading}
        </h2>
        <button type="button" className="dialog-close" onClick={() => onCloseRef.current()}>
          {t('common.close')}
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
