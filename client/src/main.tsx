import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './app/Root.tsx';
import { initI18n } from './i18n/index.ts';
import './styles.css';
import './ui/ui.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

void initI18n();
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
