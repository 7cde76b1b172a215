import { defineConfig, minimal2023Preset } from '@vite-pwa/assets-generator/config';

/**
 * The app icons, generated from ../public/logo.svg by `npm run icons -w client` into ../public/ and
 * checked in (the build does not need sharp). vite.config.ts lists them in the web app manifest.
 *
 * The logo's rounded square is the header's slate, so the maskable and Apple icons are padded with
 * the same colour: the letters stay well inside the maskable safe zone (the central 80 % circle).
 */
const slate = '#1f2a33';

export default defineConfig({
  headLinkOptions: { preset: '2023' },
  preset: {
    ...minimal2023Preset,
    maskable: { ...minimal2023Preset.maskable, padding: 0.2, resizeOptions: { background: slate } },
    apple: { ...minimal2023Preset.apple, padding: 0.1, resizeOptions: { background: slate } },
  },
  images: ['../public/logo.svg'],
});
