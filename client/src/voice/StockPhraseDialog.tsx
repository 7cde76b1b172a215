import type { CommandInput } from '@cimco/contract';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { ZodError } from 'zod';
import { useDatabase } from '../db/react.ts';
import { toLanguage } from '../i18n/index.ts';
import { CommandNotAllowedError } from '../outbox/record-command.ts';
import { parseWhole } from '../screens/parts/StockActions.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { Field, FormError } from '../ui/fields.tsx';
import { issueText } from '../ui/validation.ts';
import { partCandidates, type PartOption } from './part-candidates.ts';
import { bestMatch, type RankedPart } from './part-match.ts';
import { parseStockPhrase, type StockPhraseError, type StockReason } from './stock-phrase.ts';

/** Parts offered to pick from when the phrase does not settle one. */
const PICK_LIST = 5;

const REASONS: StockReason[] = ['used', 'received', 'returned', 'count'];

const PHRASE_ERROR_KEYS = {
  no_action: 'voice.stock.errors.noAction',
  no_quantity: 'voice.stock.errors.noQuantity',
  no_part: 'voice.stock.errors.noPart',
} as const satisfies Record<StockPhraseError, string>;

/** A note is at most 1000 characters (the contract); what was heard is cut well before that. */
const MAX_HEARD_IN_NOTE = 900;

/**
 * What was said, read as a stock change on a part of this tablet's catalog, for the person to
 * check and correct before it is recorded: reason, quantity, and the part — the one the words name
 * when that is clear, else the closest few to pick from. Nothing is recorded until Record.
 */
export function StockPhraseDialog({
  heard,
  onRetry,
  onClose,
  onRecorded,
}: {
  heard: string;
  onRetry: () => void;
  onClose: () => void;
  /** A short sentence saying what was recorded. */
  onRecorded: (summary: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const ids = useId();
  const parsed = useMemo(() => parseStockPhrase(heard, toLanguage(i18n.language) ?? 'en'), [heard, i18n.language]);
  // The same object while `heard` is: one part lookup per phrase.
  const phrase = 'error' in parsed ? null : parsed;
  const [ranked, setRanked] = useState<RankedPart<PartOption>[]>();
  const [partId, setPartId] = useState<string>();
  const [choosing, setChoosing] = useState(false);
  const [reason, setReason] = useState<StockReason>(phrase?.reason ?? 'used');
  const [amount, setAmount] = useState(String(phrase?.quantity ?? 1));
  const [amountError, setAmountError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!phrase) return;
    let current = true;
    partCandidates(db, phrase).then(
      (found) => {
        if (!current) return;
        setRanked(found);
        const sure = bestMatch(found);
        setPartId(sure?.part.id);
        setChoosing(!sure);
      },
      () => current && setRanked([]),
    );
    return () => {
      current = false;
    };
  }, [db, phrase]);

  const heardLine = (
    <p className="voice-heard" data-testid="voice-heard">
      <span className="voice-heard-label">{t('voice.stock.heard')}</span> “{heard}”
    </p>
  );

  if ('error' in parsed) {
    return (
      <Dialog label={t('voice.stock.title')} heading={t('voice.stock.title')} onClose={onClose} testId="stock-phrase-dialog">
        {heardLine}
        <p className="error" role="alert">
          {t('voice.stock.notUnderstood')} {t(PHRASE_ERROR_KEYS[parsed.error])}
        </p>
        <p className="notice">{t('voice.stock.example')}</p>
        <div className="form-actions">
          <button type="button" className="primary" data-autofocus onClick={onRetry}>
            {t('voice.stock.tryAgain')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </Dialog>
    );
  }

  const part = ranked?.find((r) => r.part.id === partId)?.part;
  const n = parseWhole(amount);
  const shown = ranked?.slice(0, PICK_LIST) ?? [];
  // The chosen part stays in the list even when it is not among the first few.
  if (part && !shown.some((r) => r.part.id === part.id)) shown.push({ part, score: 0 });

  function check(): number | string {
    if (n === null) return t('parts.errors.wholeNumber');
    if (reason === 'count' ? n < 0 : n < 1) return t(reason === 'count' ? 'parts.errors.notNegative' : 'parts.errors.atLeastOne');
    return n;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || !part) return;
    const quantity = check();
    if (typeof quantity === 'string') return setAmountError(quantity);
    const said = heard.slice(0, MAX_HEARD_IN_NOTE);
    const note = reason === 'returned' ? t('voice.stock.returnedNote', { text: said }) : t('voice.stock.note', { text: said });
    const movementId = uuidv7();
    // A return puts parts back on the shelf: the contract has no reason of its own for it, so it is
    // an adjustment up, and the note says it was a return.
    const args: CommandInput<'stock.adjust'> =
      reason === 'count'
        ? { reason: 'count', movementId, partId: part.id, counted: quantity, note }
        : { reason: reason === 'returned' ? 'adjust' : reason, movementId, partId: part.id, delta: reason === 'used' ? -quantity : quantity, note };
    setBusy(true);
    setFormError(undefined);
    try {
      await db.record('stock.adjust', args);
      onRecorded(
        t('voice.stock.recorded', { reason: t(`voice.stock.reasons.${reason}`), quantity, name: part.name, partNumber: part.partNumber }),
      );
    } catch (error) {
      setBusy(false);
      if (error instanceof ZodError) setFormError(error.issues.map((issue) => issueText(issue, t)).join(' '));
      else if (error instanceof CommandNotAllowedError) setFormError(t('parts.errors.notAllowed'));
      else setFormError(t('common.somethingWentWrong'));
    }
  }

  const partLine = (option: PartOption) => (
    <>
      <strong className="num">{option.partNumber}</strong> {option.name}
      <span className="voice-part-facts">
        {[option.location, t('voice.stock.inStock', { count: option.quantity })].filter(Boolean).join(' · ')}
      </span>
    </>
  );

  return (
    <Dialog label={t('voice.stock.title')} heading={t('voice.stock.title')} onClose={onClose} className="voice-stock-dialog" testId="stock-phrase-dialog">
      {heardLine}
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field-row">
          <Field label={t('voice.stock.reason')}>
            {({ id }) => (
              <select id={id} value={reason} onChange={(event) => setReason(event.target.value as StockReason)}>
                {REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`voice.stock.reasons.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('voice.stock.quantity')} error={amountError}>
            {({ id, describedBy }) => (
              <input
                id={id}
                type="text"
                inputMode="numeric"
                pattern="[0-9]*"
                className="num"
                value={amount}
                autoComplete="off"
                aria-invalid={amountError ? true : undefined}
                aria-describedby={describedBy}
                onChange={(event) => {
                  setAmount(event.target.value);
                  setAmountError(undefined);
                }}
              />
            )}
          </Field>
        </div>
        {ranked === undefined ? (
          <p className="notice">{t('voice.stock.searching')}</p>
        ) : ranked.length === 0 ? (
          <p className="error" role="alert">
            {t('voice.stock.noPart', { words: phrase?.partWords ?? '' })}
          </p>
        ) : choosing ? (
          <fieldset className="voice-part-choice">
            <legend>{t('voice.stock.pickPart')}</legend>
            {shown.map(({ part: option }) => (
              <label key={option.id} className="checkbox-label" data-testid="voice-part-option" data-part-number={option.partNumber}>
                <input type="radio" name={`${ids}-part`} value={option.id} checked={option.id === partId} onChange={() => setPartId(option.id)} />
                <span>{partLine(option)}</span>
              </label>
            ))}
          </fieldset>
        ) : (
          part && (
            <div className="voice-part-chosen" data-testid="voice-part" data-part-number={part.partNumber}>
              <span className="voice-heard-label">{t('voice.stock.part')}</span>
              <span>{partLine(part)}</span>
              <button type="button" className="secondary" onClick={() => setChoosing(true)}>
                {t('voice.stock.otherPart')}
              </button>
            </div>
          )
        )}
        {part && reason === 'used' && n !== null && n > part.quantity && (
          <p className="field-warning">{t('parts.moreThanInStock', { count: part.quantity })}</p>
        )}
        <FormError message={formError} />
        <div className="form-actions">
          {ranked && ranked.length > 0 && (
            <button type="submit" className="primary" disabled={busy || !part}>
              {t('voice.stock.record')}
            </button>
          )}
          <button type="button" className="secondary" onClick={onRetry}>
            {t('voice.stock.tryAgain')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
