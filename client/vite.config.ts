import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The sync-server during development (`npm run serve` from the repository root). */
const server = 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': server,
      '/v1': server,
    },
  },
});
