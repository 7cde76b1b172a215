import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { paths } from '../app/paths.ts';
import { useDatabase } from '../db/react.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { pathOfCode } from './plate-url.ts';
import { createQrReader } from './qr-reader.ts';
import './scan.css';

/** A frame is read this often: fast enough to feel instant, slow enough to leave the tablet cool. */
const FRAME_EVERY_MS = 150;

type CameraState = 'starting' | 'on' | 'denied' | 'missing' | 'failed';

/**
 * "Scan a plate": the camera looks for a plate's QR code and opens its machine or bin as soon as
 * it reads one — offline, since the reader and the data are on the tablet. Typing a tag or a bin
 * is the way when the camera cannot be used (no camera, permission refused, a dirty plate).
 */
export function ScanDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<CameraState>('starting');
  const [foreign, setForeign] = useState(false);
  const [typed, setTyped] = useState('');
  const [notFound, setNotFound] = useState('');

  const open = (path: string) => {
    onClose();
    void navigate(path);
  };
  // The camera loop outlives renders: it opens through the latest `open`.
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  });

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    async function start() {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      } catch (error) {
        const name = (error as DOMException).name;
        if (!stopped) setCamera(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'missing' : 'failed');
        return;
      }
      if (stopped || !video.current) {
        stream.getTracks().forEach((track) => track.stop());
        return;
      }
      video.current.srcObject = stream;
      await video.current.play().catch(() => {});
      setCamera('on');
      const read = await createQrReader();
      const tick = async () => {
        const v = video.current;
        if (stopped || !v || !context) return;
        if (v.videoWidth > 0) {
          canvas.width = v.videoWidth;
          canvas.height = v.videoHeight;
          context.drawImage(v, 0, 0);
          const codes = await read(context.getImageData(0, 0, canvas.width, canvas.height)).catch(() => []);
          if (stopped) return;
          const path = codes.map(pathOfCode).find(Boolean);
          if (path) {
            openRef.current(path);
            return;
          }
          setForeign(codes.length > 0);
        }
        timer = setTimeout(() => void tick(), FRAME_EVERY_MS);
      };
      void tick();
    }

    void start().catch(() => !stopped && setCamera('failed'));
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  async function openTyped(event: FormEvent) {
    event.preventDefault();
    const text = typed.trim();
    if (!text) return;
    const asUrl = pathOfCode(text);
    if (asUrl) return open(asUrl);
    const { rows: machines } = await db.query<{ tag: string }>('select tag from equipment where upper(tag) = upper($1) limit 1', [text]);
    if (machines[0]) return open(paths.machine(machines[0].tag));
    const { rows: bins } = await db.query<{ location: string }>(
      'select location from parts where deleted_at is null and lower(location) = lower($1) limit 1',
      [text],
    );
    if (bins[0]) return open(paths.bin(bins[0].location));
    setNotFound(t('scan.notFound', { text }));
  }

  const cameraMessage = { starting: t('scan.starting'), on: t('scan.pointAtPlate'), denied: t('scan.denied'), missing: t('scan.noCamera'), failed: t('scan.cameraFailed') }[camera];
  return (
    <Dialog label={t('scan.title')} heading={t('scan.title')} onClose={onClose} className="scan-dialog" testId="scan-dialog">
      <div className="scan-view" hidden={camera !== 'on' && camera !== 'starting'}>
        <video ref={video} muted playsInline className="scan-video" aria-hidden="true" />
      </div>
      <p className="scan-status" role="status" aria-live="polite" data-camera={camera}>
        {cameraMessage}
        {foreign && ` ${t('scan.notOurs')}`}
      </p>
      <form className="scan-typed" onSubmit={(event) => void openTyped(event)}>
        <label htmlFor="scan-typed">{t('scan.typeLabel')}</label>
        <div className="scan-typed-row">
          <input
            id="scan-typed"
            value={typed}
            autoComplete="off"
            autoCapitalize="characters"
            placeholder={t('scan.typePlaceholder')}
            onChange={(event) => {
              setTyped(event.target.value);
              setNotFound('');
            }}
            aria-describedby={notFound ? 'scan-not-found' : undefined}
          />
          <button type="submit" className="primary">
            {t('scan.open')}
          </button>
        </div>
        {notFound && (
          <p id="scan-not-found" className="form-error" role="alert">
            {notFound}
          </p>
        )}
      </form>
    </Dialog>
  );
}
