import { mayRun, type CommandName } from '@cimco/contract';
import { useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { ZodError } from 'zod';
import { useDatabase } from '../../db/react.ts';
import { CommandNotAllowedError } from '../../outbox/record-command.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { issueText } from '../../ui/validation.ts';
import type { PartDetailRow } from './parts-query.ts';

/**
 * The stock actions and what each records:
 *
 * | button  | command        | arguments                                           |
 * |---------|----------------|-----------------------------------------------------|
 * | Use     | `stock.adjust` | reason `used`, delta = −n (n ≥ 1)                   |
 * | Receive | `stock.adjust` | reason `received`, delta = +n (n ≥ 1)               |
 * | Count   | `stock.adjust` | reason `count`, counted = n (n ≥ 0)                 |
 * | Adjust  | `stock.adjust` | reason `adjust`, delta = ±n (not 0)                 |
 * | Move bin| `part.move`    | location = new bin, from = the bin shown now         |
 */
export const STOCK_ACTIONS = ['use', 'receive', 'count', 'adjust', 'move'] as const;
export type StockAction = (typeof STOCK_ACTIONS)[number];

const COMMAND_OF: Record<StockAction, CommandName> = {
  use: 'stock.adjust',
  receive: 'stock.adjust',
  count: 'stock.adjust',
  adjust: 'stock.adjust',
  move: 'part.move',
};

/** Existing bins offered under the new-location field (those containing what is typed). */
const MAX_BIN_SUGGESTIONS = 8;

type Field = 'amount' | 'note' | 'location' | 'form';
type Errors = Partial<Record<Field, string>>;

function defaultAmount(action: StockAction, part: PartDetailRow): string {
  if (action === 'use' || action === 'receive') return '1';
  if (action === 'count') return String(Math.max(0, part.quantity));
  return '';
}

/** "12", " 12 ", "+3", "-2" → the integer; anything else (empty, 1.5, "abc") → null. */
export function parseWhole(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?\d{1,7}$/.test(trimmed)) return null;
  return Number(trimmed);
}

export function StockActions({ part, session, locations }: { part: PartDetailRow; session: LocalSession; locations: string[] }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const ids = useId();
  const actions = STOCK_ACTIONS.filter((a) => mayRun(session.role, COMMAND_OF[a]));
  const [action, setAction] = useState<StockAction>(actions[0] ?? 'use');
  const [amount, setAmount] = useState(() => defaultAmount(action, part));
  const [note, setNote] = useState('');
  const [location, setLocation] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState<string | null>(null);
  /** The form (action choice) whose save is being recorded: only that form waits for it. */
  const [busyForm, setBusyForm] = useState<number | null>(null);
  const [form, setForm] = useState(0);
  const amountRef = useRef<HTMLInputElement>(null);
  const locationRef = useRef<HTMLInputElement>(null);
  /** Counts action switches: a save that finishes after a switch leaves the new form alone. */
  const formRef = useRef(0);
  const savingRef = useRef<number | null>(null);

  if (actions.length === 0) return null;

  function choose(next: StockAction) {
    formRef.current += 1;
    setForm(formRef.current);
    setAction(next);
    setAmount(defaultAmount(next, part));
    setErrors({});
    setSaved(null);
    // Straight to the number (or the bin) so the person can type and press Enter.
    window.requestAnimationFrame(() => (next === 'move' ? locationRef.current : amountRef.current)?.focus());
  }

  /** The steppers: ±1, never below what the action accepts; Adjust skips 0. */
  function step(by: 1 | -1) {
    const current = parseWhole(amount) ?? (action === 'count' ? Math.max(0, part.quantity) : 0);
    let next = current + by;
    if (action === 'use' || action === 'receive') next = Math.max(1, next);
    if (action === 'count') next = Math.max(0, next);
    if (action === 'adjust' && next === 0) next += by;
    setAmount(String(next));
    setErrors((e) => ({ ...e, amount: undefined }));
    setSaved(null);
  }

  /** Checks the number with messages in the person's language; the contract's schema checks again. */
  function checkAmount(): number | string {
    const n = parseWhole(amount);
    if (n === null) return t('parts.errors.wholeNumber');
    if ((action === 'use' || action === 'receive') && n < 1) return t('parts.errors.atLeastOne');
    if (action === 'count' && n < 0) return t('parts.errors.notNegative');
    if (action === 'adjust' && n === 0) return t('parts.errors.notZero');
    return n;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (savingRef.current === form) return; // already saving this: a second Enter is not a second change
    setSaved(null);
    const noteValue = note.trim() === '' ? null : note.trim();
    let run: () => Promise<string>;
    let after = '';
    if (action === 'move') {
      const to = location.trim();
      if (to === '') return fail({ location: t('parts.errors.binRequired') }, locationRef);
      if (to === (part.location ?? '')) return fail({ location: t('parts.errors.sameBin') }, locationRef);
      run = () => db.record('part.move', { id: part.id, movementId: uuidv7(), location: to, from: part.location });
    } else {
      const n = checkAmount();
      if (typeof n === 'string') return fail({ amount: n }, amountRef);
      const movementId = uuidv7();
      after = action === 'count' ? String(n) : defaultAmount(action, part);
      run =
        action === 'count'
          ? () => db.record('stock.adjust', { reason: 'count', movementId, partId: part.id, counted: n, note: noteValue })
          : () =>
              db.record('stock.adjust', {
                reason: action === 'use' ? 'used' : action === 'receive' ? 'received' : 'adjust',
                movementId,
                partId: part.id,
                delta: action === 'use' ? -n : n,
                note: noteValue,
              });
    }
    savingRef.current = form;
    setBusyForm(form);
    setErrors({});
    // Recording can take a moment on a slow tablet. Meanwhile the person may switch to another
    // action or type on: reset only what still shows what was saved.
    const sent = { amount, note, location };
    try {
      await run();
      setSaved(action === 'move' ? t('parts.moved', { location: sent.location.trim() }) : t('parts.saved'));
      if (formRef.current === form) {
        setAmount((a) => (a === sent.amount ? after : a));
        setNote((v) => (v === sent.note ? '' : v));
        setLocation((v) => (v === sent.location ? '' : v));
      }
    } catch (error) {
      if (formRef.current === form) fail(errorsOf(error), action === 'move' ? locationRef : amountRef);
    } finally {
      if (savingRef.current === form) savingRef.current = null;
      setBusyForm((b) => (b === form ? null : b));
    }
  }

  function fail(found: Errors, focus: RefObject<HTMLInputElement | null>) {
    setErrors(found);
    if (found.amount || found.location) focus.current?.focus();
  }

  function errorsOf(error: unknown): Errors {
    if (error instanceof ZodError) {
      const found: Errors = {};
      for (const issue of error.issues) {
        const head = String(issue.path[0] ?? '');
        const field: Field = head === 'delta' || head === 'counted' ? 'amount' : head === 'note' ? 'note' : head === 'location' ? 'location' : 'form';
        found[field] ??= issueText(issue, t);
      }
      return found;
    }
    if (error instanceof CommandNotAllowedError) return { form: t('parts.errors.notAllowed') };
    return { form: t('common.somethingWentWrong') };
  }

  const n = parseWhole(amount);
  const takesMoreThanStock = action === 'use' && n !== null && n > part.quantity;
  const typed = location.trim().toLowerCase();
  const suggestions = locations
    .filter((bin) => bin !== part.location && bin !== location.trim() && bin.toLowerCase().includes(typed))
    .slice(0, MAX_BIN_SUGGESTIONS);

  return (
    <section className="stock-actions" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="part-detail-section">
        {t('parts.stockActions')}
      </h3>
      <div className="stock-action-tabs" role="group" aria-label={t('parts.stockActions')}>
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={a === action ? 'stock-action-tab is-active' : 'stock-action-tab secondary'}
            aria-pressed={a === action}
            data-action={a}
            onClick={() => choose(a)}
          >
            {t(`parts.action.${a}`)}
          </button>
        ))}
      </div>
      <p className="stock-action-hint">{t(`parts.actionHint.${action}`)}</p>
      <form className="stock-form" onSubmit={(event) => void submit(event)} noValidate>
        {action === 'move' ? (
          <div className="stock-field">
            <label htmlFor={`${ids}-location`}>{t('parts.newBin')}</label>
            <input
              id={`${ids}-location`}
              ref={locationRef}
              type="text"
              value={location}
              maxLength={64}
              autoComplete="off"
              aria-invalid={errors.location ? true : undefined}
              aria-describedby={errors.location ? `${ids}-location-error` : undefined}
              onChange={(event) => {
                setLocation(event.target.value);
                setErrors((e) => ({ ...e, location: undefined }));
                setSaved(null);
              }}
            />
            {suggestions.length > 0 && (
              // Buttons rather than a <datalist>: big enough to tap, and Enter in the field saves.
              <div className="bin-suggestions" role="group" aria-label={t('parts.binSuggestions')}>
                {suggestions.map((bin) => (
                  <button
                    key={bin}
                    type="button"
                    className="secondary bin-suggestion"
                    onClick={() => {
                      setLocation(bin);
                      setErrors((e) => ({ ...e, location: undefined }));
                      setSaved(null);
                      locationRef.current?.focus();
                    }}
                  >
                    {bin}
                  </button>
                ))}
              </div>
            )}
            {errors.location && (
              <p id={`${ids}-location-error`} className="field-error" role="alert">
                {errors.location}
              </p>
            )}
          </div>
        ) : (
          <>
            <div className="stock-field">
              <label htmlFor={`${ids}-amount`}>{t(`parts.amountLabel.${action}`)}</label>
              <div className="stepper">
                <button type="button" className="stepper-button" aria-label={t('parts.decrease')} onClick={() => step(-1)}>
                  −
                </button>
                <input
                  id={`${ids}-amount`}
                  ref={amountRef}
                  type="text"
                  inputMode={action === 'adjust' ? 'text' : 'numeric'}
                  pattern={action === 'adjust' ? '[+\\-]?[0-9]*' : '[0-9]*'}
                  className="stepper-input num"
                  value={amount}
                  autoComplete="off"
                  aria-invalid={errors.amount ? true : undefined}
                  aria-describedby={errors.amount ? `${ids}-amount-error` : takesMoreThanStock ? `${ids}-amount-warning` : undefined}
                  onChange={(event) => {
                    setAmount(event.target.value);
                    setErrors((e) => ({ ...e, amount: undefined }));
                    setSaved(null);
                  }}
                />
                <button type="button" className="stepper-button" aria-label={t('parts.increase')} onClick={() => step(1)}>
                  +
                </button>
              </div>
              {errors.amount ? (
                <p id={`${ids}-amount-error`} className="field-error" role="alert">
                  {errors.amount}
                </p>
              ) : (
                takesMoreThanStock && (
                  <p id={`${ids}-amount-warning`} className="field-warning">
                    {t('parts.moreThanInStock', { count: part.quantity })}
                  </p>
                )
              )}
            </div>
            <div className="stock-field">
              <label htmlFor={`${ids}-note`}>{t('parts.note')}</label>
              <input
                id={`${ids}-note`}
                type="text"
                value={note}
                maxLength={1000}
                autoComplete="off"
                aria-invalid={errors.note ? true : undefined}
                aria-describedby={errors.note ? `${ids}-note-error` : undefined}
                onChange={(event) => {
                  setNote(event.target.value);
                  setErrors((e) => ({ ...e, note: undefined }));
                }}
              />
              {errors.note && (
                <p id={`${ids}-note-error`} className="field-error" role="alert">
                  {errors.note}
                </p>
              )}
            </div>
          </>
        )}
        {errors.form && (
          <p className="error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="stock-submit">
          <button type="submit" disabled={busyForm === form}>
            {t('parts.save')}
          </button>
          <p className="stock-saved" role="status" data-testid="stock-saved">
            {saved}
          </p>
        </div>
      </form>
    </section>
  );
}
