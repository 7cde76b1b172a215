import type { CommandInput, CommandName } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { paths } from '../app/paths.ts';
import { ZodError } from 'zod';
import { useDatabase, useLiveQuery } from '../db/react.ts';
import { ATTENTION_SQL, type AttentionItem } from '../outbox/attention.ts';
import { refusalText } from '../screens/orders/refusals.ts';
import { issueText } from '../ui/validation.ts';
import { fieldKey, PlainFields, useFieldLabel, useReasonText } from './plain.tsx';

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
      <h2 id="attention-title">{t('attention.title')}</h2>
      {items.length === 0 ? <p className="empty">{t('attention.none')}</p> : null}
      <ul className="attention-list">
        {items.map((item) => (
          <AttentionCard key={item.mutation_id} item={item} />
        ))}
      </ul>
    </section>
  );
}

/**
 * Fields a person can correct in place, as paths into the arguments (an edit's `changes` are
 * corrected field by field; ids are the tablet's business).
 */
function editableFields(args: Record<string, unknown>): [string[], unknown][] {
  const editable = (key: string, value: unknown) => !/(^id$|Id$)/.test(key) && key !== 'password' && ['string', 'number', 'boolean'].includes(typeof value);
  const top = Object.entries(args).filter(([key, value]) => editable(key, value)).map(([key, value]): [string[], unknown] => [[key], value]);
  const changes = args.changes && typeof args.changes === 'object' ? Object.entries(args.changes as Record<string, unknown>) : [];
  return [...top, ...changes.filter(([key, value]) => editable(key, value)).map(([key, value]): [string[], unknown] => [['changes', key], value])];
}

function valueAt(args: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), args);
}

function withValue(args: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  return { ...args, [head]: rest.length === 0 ? value : withValue((args[head] as Record<string, unknown>) ?? {}, rest, value) };
}

/** The fields the server named as not valid (`details.fields` of an `invalid` refusal). */
function invalidFields(details: Record<string, unknown> | null): string[] {
  const fields = details?.fields;
  return fields && typeof fields === 'object' ? Object.keys(fields).map((path) => path.split('.').at(-1) ?? path) : [];
}

function AttentionCard({ item }: { item: AttentionItem }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const db = useDatabase();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, unknown>>(item.args);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = useFieldLabel();
  const reason = useReasonText();

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(
        caught instanceof ZodError
          ? caught.issues.map((issue) => `${label(String(issue.path.at(-1) ?? ''))}: ${issueText(issue, t)}`).join('; ')
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
      <p className="attention-reason" role="note" data-code={item.code ?? ''}>
        {/* The orders' and parts' refusals say their numbers (received 10 of 10); the rest by code. */}
        {refusalText(item, t) ?? reason(item.code)}
        {item.code === 'invalid' && invalidFields(item.details).length > 0 && (
          <> {t('attention.invalidField', { field: invalidFields(item.details).map(label).join(', ') })}</>
        )}
      </p>
      {editing ? (
        <dl className="attention-entered">
          {fields.map(([path, value]) => {
            const key = path.join('.');
            const current = valueAt(draft, path);
            return (
              <div key={key}>
                <dt>{label(fieldKey(path.at(-1)!))}</dt>
                <dd>
                  <input
                    aria-label={label(fieldKey(path.at(-1)!))}
                    type={typeof value === 'number' ? 'number' : 'text'}
                    value={String(current ?? '')}
                    onChange={(event) =>
                      setDraft(withValue(draft, path, typeof value === 'number' ? Number(event.target.value) : typeof value === 'boolean' ? event.target.value === 'true' : event.target.value))
                    }
                  />
                </dd>
              </div>
            );
          })}
        </dl>
      ) : (
        <PlainFields values={item.args} about={item.name} />
      )}
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
