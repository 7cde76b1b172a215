/**
 * The browser's speech recognition (the Web Speech API), reduced to what the app needs: whether it
 * can listen at all and whether it needs the network, and one listening session at a time. Typed
 * here: the API is prefixed in Chrome and Safari, and the DOM typings do not all carry it.
 *
 * Chrome sends the audio to Google's servers unless on-device recognition is installed for the
 * language (SpeechRecognition.available({ langs, processLocally: true }) says 'available', from
 * Chrome 139); a browser without that check is taken as online-only, so a tablet offline says so
 * on the button instead of failing once the person has spoken.
 */
import type { Language } from '../i18n/types.ts';

/** none: no recognition in this browser; online-only: it needs the network; on-device: works offline. */
export type SpeechSupport = 'none' | 'online-only' | 'on-device';

/** The recogniser's language: the app speaks to a US yard's English and Mexican Spanish. */
export type SpeechLanguage = 'en-US' | 'es-MX';

export function speechLanguage(language: Language): SpeechLanguage {
  return language === 'es' ? 'es-MX' : 'en-US';
}

/** What went wrong, for the UI to say in plain words (the API's codes, the rare ones as `failed`). */
export type SpeechError = 'not-allowed' | 'no-speech' | 'network' | 'audio-capture' | 'language-not-supported' | 'aborted' | 'failed';

const KNOWN_ERRORS = new Set<string>(['not-allowed', 'no-speech', 'network', 'audio-capture', 'language-not-supported', 'aborted']);

interface RecognitionAlternative {
  transcript: string;
  confidence: number;
}
interface RecognitionResult {
  readonly length: number;
  readonly isFinal: boolean;
  [index: number]: RecognitionAlternative;
}
interface RecognitionEvent {
  resultIndex: number;
  results: { readonly length: number; [index: number]: RecognitionResult };
}
interface Recognition {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  maxAlternatives: number;
  processLocally?: boolean;
  onresult: ((event: RecognitionEvent) => void) | null;
  onerror: ((event: { error: string }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
  abort(): void;
}
interface RecognitionClass {
  new (): Recognition;
  available?: (options: { langs: string[]; processLocally: boolean }) => Promise<string>;
}

function recognitionClass(): RecognitionClass | undefined {
  if (typeof window === 'undefined') return undefined;
  const w = window as unknown as { SpeechRecognition?: RecognitionClass; webkitSpeechRecognition?: RecognitionClass };
  return w.SpeechRecognition ?? w.webkitSpeechRecognition;
}

const support = new Map<SpeechLanguage, Promise<SpeechSupport>>();

/** Asked once per language: the answer does not change while the app runs (a language pack installing aside). */
export function speechSupport(language: SpeechLanguage): Promise<SpeechSupport> {
  let answer = support.get(language);
  if (!answer) {
    answer = (async (): Promise<SpeechSupport> => {
      const Recognition = recognitionClass();
      if (!Recognition) return 'none';
      if (typeof Recognition.available !== 'function') return 'online-only';
      try {
        return (await Recognition.available({ langs: [language], processLocally: true })) === 'available' ? 'on-device' : 'online-only';
      } catch {
        return 'online-only'; // blocked by a permissions policy, say
      }
    })();
    support.set(language, answer);
  }
  return answer;
}

export interface ListenOptions {
  language: SpeechLanguage;
  /** From speechSupport: on-device recognition is asked for, so it works with no network. */
  onDevice: boolean;
  /** Dictation keeps listening until stopped; a stock command is one phrase. */
  continuous?: boolean;
  /** Each final piece of text heard, trimmed and not empty. */
  onResult: (text: string) => void;
  onError: (error: SpeechError) => void;
  /** Always called last, after an error too. */
  onEnd: () => void;
}

/**
 * Starts listening; returns a stop function. `stop()` keeps what was already said (it still
 * arrives); `stop({ discard: true })` drops it and calls nothing more (a closed screen).
 */
export function listen(options: ListenOptions): (how?: { discard?: boolean }) => void {
  const Recognition = recognitionClass();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  if (!Recognition) {
    options.onError('failed');
    end();
    return () => undefined;
  }
  const recognition = new Recognition();
  recognition.lang = options.language;
  recognition.continuous = options.continuous ?? false;
  recognition.interimResults = false;
  recognition.maxAlternatives = 1;
  if (options.onDevice) recognition.processLocally = true;
  recognition.onresult = (event) => {
    for (let i = event.resultIndex; i < event.results.length; i++) {
      const result = event.results[i];
      const text = result?.isFinal ? result[0]?.transcript.trim() : '';
      if (text) options.onResult(text);
    }
  };
  recognition.onerror = (event) => options.onError(KNOWN_ERRORS.has(event.error) ? (event.error as SpeechError) : 'failed');
  recognition.onend = end;
  try {
    recognition.start();
  } catch {
    options.onError('failed');
    end();
  }
  return ({ discard = false } = {}) => {
    if (discard) {
      recognition.onresult = recognition.onerror = recognition.onend = null;
      ended = true;
      recognition.abort();
    } else {
      recognition.stop();
    }
  };
}
