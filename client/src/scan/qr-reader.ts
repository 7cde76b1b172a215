import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** Reads the QR codes in a camera frame; resolves to their texts (none: an empty list). */
export type QrReader = (frame: ImageData) => Promise<string[]>;

interface BarcodeDetectorLike {
  detect(image: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

let zxingReady = false;

/**
 * The browser's own `BarcodeDetector` where it reads QR codes (Android, ChromeOS, macOS), else
 * ZXing compiled to WebAssembly — its .wasm is bundled with the app and precached by the service
 * worker, so scanning works offline (by default zxing-wasm would fetch it from a CDN).
 */
export async function createQrReader(): Promise<QrReader> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Detector && (await Detector.getSupportedFormats().catch((): string[] => [])).includes('qr_code')) {
    const detector = new Detector({ formats: ['qr_code'] });
    return async (frame) => (await detector.detect(frame)).map((code) => code.rawValue);
  }
  if (!zxingReady) {
    prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });
    zxingReady = true;
  }
  return async (frame) => (await readBarcodes(frame, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 })).filter((code) => code.isValid).map((code) => code.text);
}
