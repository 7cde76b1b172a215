/**
 * What a plate's QR code holds and where a scanned code leads (client/src/scan/plate-url.ts): the
 * app's own URL of the machine or bin, followed from any origin but only ever to this app's page.
 */
import { describe, expect, it } from 'vitest';
import { pathOfCode, plateUrl } from '../../../client/src/scan/plate-url.ts';

describe('QR plates', () => {
  it('hold the app\'s URL of the machine or the bin, encoded', () => {
    expect(plateUrl('https://yard.example/', { kind: 'machine', tag: 'CIMCO001' })).toBe('https://yard.example/equipment/CIMCO001');
    expect(plateUrl('http://10.0.0.5:3000', { kind: 'bin', location: 'Bin A-1/2' })).toBe('http://10.0.0.5:3000/bins/Bin%20A-1%2F2');
  });

  it('lead to the machine or bin page whatever the origin they were printed with, and round-trip', () => {
    expect(pathOfCode('https://yard.example/equipment/CIMCO001')).toBe('/equipment/CIMCO001');
    expect(pathOfCode(' http://192.168.1.20:3000/bins/Bin%20A-1/ ')).toBe('/bins/Bin%20A-1');
    for (const plate of [{ kind: 'machine', tag: 'SHR-2.b' }, { kind: 'bin', location: 'Shelf B-1 (top)' }] as const) {
      const path = pathOfCode(plateUrl('https://other.example', plate));
      expect(path).toBe(new URL(plateUrl('https://x.example', plate)).pathname);
    }
  });

  it('ignore codes that are not plates: other paths, other schemes, plain text, broken escapes', () => {
    for (const code of ['', 'CIMCO001', 'https://yard.example/parts/HP-1', 'https://yard.example/equipment/', 'https://yard.example/equipment/A/B',
      'javascript:alert(1)//equipment/X', 'ftp://yard.example/equipment/X', 'https://yard.example/equipment/%E0%A4%A', 'https://yard.example/bins/%20']) {
      expect(pathOfCode(code), code).toBeUndefined();
    }
  });
});
