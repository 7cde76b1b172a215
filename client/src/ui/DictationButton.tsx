import { useId } from 'react';
import type { FieldValues, Path, PathValue, UseFormReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import type { SpeechError } from '../voice/speech.ts';
import { useSpeech } from '../voice/use-speech.ts';
import './ui.css';

/** The translation key of each recognition problem. */
const ERROR_KEYS = {
  'not-allowed': 'voice.errors.notAllowed',
  'no-speech': 'voice.errors.noSpeech',
  network: 'voice.errors.network',
  'audio-capture': 'voice.errors.audioCapture',
  'language-not-supported': 'voice.errors.languageNotSupported',
  aborted: 'voice.errors.failed',
  failed: 'voice.errors.failed',
} as const satisfies Record<SpeechError, string>;

export function speechErrorKey(error: SpeechError) {
  return ERROR_KEYS[error];
}

/** A microphone, drawn so that it needs no icon font or image (the app works offline). */
export function MicIcon() {
  return (
    <svg className="mic-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <rect x="9" y="3" width="6" height="11" rx="3" fill="currentColor" />
      <path d="M6 11a6 6 0 0 0 12 0M12 17v4M8.5 21h7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/**
 * Dictation into a text field: tap to listen (in the app's language), tap again to stop; each
 * phrase heard is passed to `onText`. Hidden where the browser cannot recognise speech; disabled,
 * saying why, where it can only recognise online and the tablet is offline.
 */
export function DictationButton({ onText }: { onText: (text: string) => void }) {
  const { t } = useTranslation();
  const speech = useSpeech();
  const statusId = useId();
  if (speech.support === undefined || speech.support === 'none') return null;
  return (
    <div className="dictation">
      <button
        type="button"
        className="secondary dictation-button"
        aria-pressed={speech.listening}
        disabled={speech.needsConnection && !speech.listening}
        aria-describedby={statusId}
        onClick={() => (speech.listening ? speech.stop() : speech.start(onText, { continuous: true }))}
      >
        <MicIcon />
        <span>{t('voice.dictate')}</span>
      </button>
      <span id={statusId} className="dictation-status" role="status">
        {speech.listening ? t('voice.listening') : speech.needsConnection ? t('voice.needsConnection') : ''}
      </span>
      {speech.error && (
        <p className="field-error dictation-error" role="alert">
          {t(speechErrorKey(speech.error))}
        </p>
      )}
    </div>
  );
}

/** `current` and then `text`, one space between (a dictated phrase goes after what is typed). */
export function appendText(current: unknown, text: string): string {
  const before = typeof current === 'string' ? current.trimEnd() : '';
  return before === '' ? text : `${before} ${text}`;
}

/** Dictation into a react-hook-form text field: one line per field. */
export function DictateInto<V extends FieldValues>({ form, name }: { form: UseFormReturn<V>; name: Path<V> }) {
  return (
    <DictationButton
      onText={(text) => form.setValue(name, appendText(form.getValues(name), text) as PathValue<V, Path<V>>, { shouldDirty: true })}
    />
  );
}
