import { mayRun } from '@cimco/contract';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalSession } from '../session/local-session.ts';
import { MicIcon, speechErrorKey } from '../ui/DictationButton.tsx';
import { StockPhraseDialog } from './StockPhraseDialog.tsx';
import { useSpeech } from './use-speech.ts';
import './voice.css';

/**
 * "Say a stock change": listens for one phrase ("used two seal kits"), then shows it read as a
 * stock change to confirm (StockPhraseDialog). Only the listening may need the network; the
 * reading, the part lookup and the recording are on the tablet.
 */
export function StockPhraseButton({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const speech = useSpeech();
  const statusId = useId();
  const [heard, setHeard] = useState<string | null>(null);
  const [recorded, setRecorded] = useState('');

  if (!mayRun(session.role, 'stock.adjust') || speech.support === undefined || speech.support === 'none') return null;

  function start() {
    setRecorded('');
    let said = '';
    speech.start((text) => (said = said ? `${said} ${text}` : text), {
      // The dialog opens once the recogniser is done: nothing else of this phrase can arrive.
      onEnd: () => {
        if (said) setHeard(said);
      },
    });
  }

  const status = speech.listening ? t('voice.stock.listening') : speech.needsConnection ? t('voice.stock.needsConnection') : recorded;

  return (
    <div className="voice-stock">
      <button
        type="button"
        className="secondary dictation-button"
        aria-pressed={speech.listening}
        aria-describedby={statusId}
        disabled={speech.needsConnection && !speech.listening}
        onClick={() => (speech.listening ? speech.stop() : start())}
      >
        <MicIcon />
        <span>{t('voice.stock.say')}</span>
      </button>
      <span id={statusId} className="dictation-status" role="status" data-testid="voice-stock-status">
        {status}
      </span>
      {speech.error && (
        <p className="field-error dictation-error" role="alert">
          {t(speechErrorKey(speech.error))}
        </p>
      )}
      {heard !== null && (
        <StockPhraseDialog
          heard={heard}
          onClose={() => setHeard(null)}
          onRetry={() => {
            setHeard(null);
            start();
          }}
          onRecorded={(summary) => {
            setHeard(null);
            setRecorded(summary);
          }}
        />
      )}
    </div>
  );
}
