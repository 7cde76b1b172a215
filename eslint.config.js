// ESLint flat config for the whole repository (`npm run lint` = `eslint .`).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['**/dist/', 'data/', '**/node_modules/', 'test-results/', 'playwright-report/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // Server, contract, migrations, end-to-end tests, tooling, and the client's Vite config: Node.
    ignores: ['client/**', '!client/vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // The tablet app runs in the browser.
    files: ['client/**'],
    ignores: ['client/vite.config.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    rules: {
      // `_`-prefixed names mark deliberately unused parameters and bindings.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
]);
