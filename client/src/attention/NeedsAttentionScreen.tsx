import type { CommandInput, CommandName } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { paths } from '../app/paths.ts';
import { ZodError } from 'zod';
import { useDatabase, useLiveQuery } from '../db/react.ts';
import { ATTENTION_SQL, type AttentionItem } from '../outbox/attention.ts';
import { refusalText } from '../screens/orders/refusals.ts';

/**
 * Changes the server refused, never silently dropped: each shows why, what the person entered,
 * and what can be done — correct and send again, merge a duplicate part into the existing one, or
 * discard.
 */
export function NeedsAttentionScreen() {
  const { t } = useTranslation();
  const items = useLiveQuery<AttentionItem>(ATTENTION_SQL, [])?.rows;
  if (!items) return <p>{t('common.loading')}</p>;
  return (
    <section className="screen attention" aria-labelledby="attention-title">
      <h2 id="attention-title">{t('nav.needsAttention')}</h2>
      {items.length === 0 ? <p className="empty">{t('attention.none')}</p> : null}
      <ul className="attention-list">
        {items.map((item) => (
          <AttentionCard key={item.mutation_id} item={item} />
        ))}
      </ul>
    </section>
  );
}

/** Argument fields a person can correct in place (ids are the tablet's business). */
function editableFields(args: Record<string, unknown>): [string, unknown][] {
  return Object.entries(args).filter(([key, value]) => !/(^id$|Id$)/.test(key) && ['string', 'number', 'boolean'].includes(typeof value));
}

function AttentionCard({ item }: { item: AttentionItem }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const db = useDatabase();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, unknown>>(item.args);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(
        caught instanceof ZodError
          ? caught.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')
          : caught instanceof Error
            ? caught.message
            : String(caught),
      );
    } finally {
      setBusy(false);
    }
  }

  const fields = editableFields(item.args);
  return (
    <li className="attention-item" data-testid="attention-item" data-command={item.name}>
      <h3>{t(`commands.${item.name}`, { defaultValue: item.name })}</h3>
      <p className="attention-reason" role="note">
        {refusalText(item, t) ?? item.message ?? item.code ?? t('attention.refused')}
      </p>
      <dl className="attention-entered">
        {fields.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>
              {editing ? (
                <input
                  aria-label={key}
                  type={typeof value === 'number' ? 'number' : 'text'}
                  value={String(draft[key] ?? '')}
                  onChange={(event) =>
                    setDraft({ ...draft, [key]: typeof value === 'number' ? Number(event.target.value) : typeof value === 'boolean' ? event.target.value === 'true' : event.target.value })
                  }
                />
              ) : (
                String(value)
              )}
            </dd>
          </div>
        ))}
      </dl>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="attention-actions">
        {editing ? (
          <>
            <button type="button" disabled={busy} onClick={() => void act(() => db.retryRefused(item.mutation_id, item.name, draft as CommandInput<CommandName>))}>
              {t('attention.sendAgain')}
            </button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </>
        ) : (
          <button type="button" disabled={busy} onClick={() => setEditing(true)}>
            {t('attention.editAndRetry')}
          </button>
        )}
        {item.code === 'duplicate_part_number' && typeof item.details?.existingPartNumber === 'string' && (
          <button type="button" className="secondary" onClick={() => void navigate(paths.part(String(item.details?.existingPartNumber)))}>
            {t('catalog.openExistingPart', { partNumber: item.details.existingPartNumber })}
          </button>
        )}
        {item.code === 'duplicate_part_number' && (
          <button type="button" disabled={busy} onClick={() => void act(() => db.mergeIntoExistingPart(item))}>
            {t('attention.mergeIntoExisting')}
          </button>
        )}
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm(t('attention.confirmDiscard'))) void act(() => db.discardRefused(item.mutation_id));
          }}
        >
          {t('attention.discard')}
        </button>
      </div>
    </li>
  );
}
