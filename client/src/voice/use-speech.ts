import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { toLanguage } from '../i18n/index.ts';
import { listen, speechLanguage, speechSupport, type SpeechError, type SpeechLanguage, type SpeechSupport } from './speech.ts';

function subscribeOnline(changed: () => void): () => void {
  window.addEventListener('online', changed);
  window.addEventListener('offline', changed);
  return () => {
    window.removeEventListener('online', changed);
    window.removeEventListener('offline', changed);
  };
}

/**
 * The device's own idea of being online. The sync bar judges the server by its requests instead;
 * here the question is only whether the browser will even try to reach its speech service.
 */
function useDeviceOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine);
}

export interface Speech {
  language: SpeechLanguage;
  /** undefined while the browser is being asked. */
  support: SpeechSupport | undefined;
  /** Online-only recognition on a tablet that is offline: the button says so instead of failing. */
  needsConnection: boolean;
  listening: boolean;
  /** The last attempt's problem (a stop by the person is none). */
  error: SpeechError | undefined;
  /** Listens in the app's language; `onText` gets each final piece of text. */
  start: (onText: (text: string) => void, options?: { continuous?: boolean; onEnd?: () => void }) => void;
  /** Stops listening; what was said so far still arrives. */
  stop: () => void;
}

/** One listening session for one button, in the app's language; ends when the component goes. */
export function useSpeech(): Speech {
  const { i18n } = useTranslation();
  const language = speechLanguage(toLanguage(i18n.language) ?? 'en');
  const [support, setSupport] = useState<{ language: SpeechLanguage; support: SpeechSupport }>();
  const online = useDeviceOnline();
  const [listening, setListening] = useState(false);
  const [error, setError] = useState<SpeechError>();
  const stopRef = useRef<((how?: { discard?: boolean }) => void) | null>(null);

  useEffect(() => {
    let current = true;
    void speechSupport(language).then((answer) => current && setSupport({ language, support: answer }));
    return () => {
      current = false;
    };
  }, [language]);

  useEffect(() => () => stopRef.current?.({ discard: true }), []);

  const known = support?.language === language ? support.support : undefined;

  const start = useCallback<Speech['start']>(
    (onText, options = {}) => {
      stopRef.current?.({ discard: true });
      setError(undefined);
      setListening(true);
      stopRef.current = listen({
        language,
        onDevice: known === 'on-device',
        continuous: options.continuous,
        onResult: onText,
        // "aborted" is a stop, not a failure: nothing to tell the person.
        onError: (code) => setError(code === 'aborted' ? undefined : code),
        onEnd: () => {
          stopRef.current = null;
          setListening(false);
          options.onEnd?.();
        },
      });
    },
    [language, known],
  );

  const stop = useCallback(() => stopRef.current?.(), []);

  return { language, support: known, needsConnection: known === 'online-only' && !online, listening, error, start, stop };
}
