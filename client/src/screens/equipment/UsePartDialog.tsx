import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useLiveQuery } from '../../db/react.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { formatNumber } from '../../ui/format.ts';
import { useContractForm } from '../../ui/use-contract-form.ts';
import './equipment.css';

interface PartOption {
  id: string;
  part_number: string;
  name: string;
  quantity: number;
  location: string | null;
}

interface UsePartValues {
  movementId: string;
  part: PartOption | null;
  delta: string;
  note: string;
}

// The parts list's search text and its trigram index (db/local-schema.ts): a lookup, not a scan.
const PART_SEARCH_SQL = `
  select id, part_number, name, quantity, location from parts
   where search is not null and search like '%' || lower($1) || '%'
   order by (upper(part_number) = upper($1)) desc, upper(part_number)
   limit 12`;

const partLabel = (part: { part_number: string; name: string }) => `${part.part_number} — ${part.name}`;

/**
 * "Use part" on a machine (and a task): find the part by number or name in the tablet's own
 * database, say how many, and stock.adjust records them as used on this machine — taken from
 * stock at once, and on the machine's history.
 */
export function UsePartDialog({
  machine,
  taskId,
  onClose,
  onRecorded,
}: {
  machine: { id: string; label: string };
  taskId?: string | null;
  onClose: () => void;
  onRecorded?: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useState('');
  const term = search.trim();
  const matches = useLiveQuery<PartOption>(PART_SEARCH_SQL, [term])?.rows;
  const { form, submit, formError, busy, errorOf } = useContractForm<'stock.adjust', UsePartValues>({
    command: 'stock.adjust',
    defaultValues: { movementId: uuidv7(), part: null, delta: '1', note: '' },
    toArgs: (values) => ({
      reason: 'used',
      movementId: values.movementId,
      // Left out until a part is chosen: the schema says "required".
      partId: values.part?.id as string,
      // Taken from stock: the quantity typed, negative.
      delta: values.delta.trim() === '' ? (undefined as unknown as number) : -Number(values.delta),
      equipmentId: machine.id,
      taskId: taskId ?? null,
      note: values.note.trim() || null,
    }),
    onRecorded: () => {
      onRecorded?.();
      onClose();
    },
  });
  const part = form.watch('part');
  const partError = errorOf('partId') ? t('machine.usePart.partRequired') : undefined;

  return (
    <Dialog label={t('machine.actions.usePart')} heading={t('machine.usePart.title', { machine: machine.label })} onClose={onClose} testId="use-part-dialog">
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        {part ? (
          <div className="field use-part-chosen" data-testid="use-part-chosen" data-part-id={part.id}>
            <span>{t('machine.usePart.chosen', { part: partLabel(part) })}</span>
            <span className="muted">{t('machine.usePart.inStock', { quantity: formatNumber(Number(part.quantity), i18n.language) })}</span>
            <button type="button" className="secondary" onClick={() => form.setValue('part', null)}>
              {t('machine.usePart.change')}
            </button>
          </div>
        ) : (
          <Field label={t('machine.usePart.search')} error={partError}>
            {({ id, describedBy }) => (
              <>
                <input
                  id={id}
                  type="search"
                  data-autofocus
                  autoComplete="off"
                  placeholder={t('machine.usePart.searchPlaceholder')}
                  aria-describedby={describedBy}
                  value={search}
                  onChange={(event) => setSearch(event.target.value)}
                />
                {term && matches && matches.length === 0 && <p className="muted">{t('machine.usePart.noMatch')}</p>}
                {term && matches && matches.length > 0 && (
                  <ul className="use-part-matches">
                    {matches.map((option) => (
                      <li key={option.id}>
                        <button
                          type="button"
                          className="use-part-option"
                          data-testid="use-part-option"
                          data-part-number={option.part_number}
                          onClick={() => form.setValue('part', option, { shouldValidate: false })}
                        >
                          <strong>{option.part_number}</strong> {option.name}
                          <span className="muted">
                            {' · '}
                            {t('machine.usePart.inStock', { quantity: formatNumber(Number(option.quantity), i18n.language) })}
                            {option.location ? ` · ${option.location}` : ''}
                          </span>
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </Field>
        )}
        <Field label={t('machine.usePart.quantity')} error={errorOf('delta')}>
          {({ id, describedBy }) => (
            <input id={id} inputMode="numeric" autoComplete="off" aria-invalid={errorOf('delta') ? true : undefined} aria-describedby={describedBy} {...form.register('delta')} />
          )}
        </Field>
        <Field label={t('machine.usePart.note')} error={errorOf('note')}>
          {({ id, describedBy }) => <input id={id} maxLength={1000} aria-describedby={describedBy} {...form.register('note')} />}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('machine.usePart.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
