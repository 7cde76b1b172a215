import { importReportSchema, IMPORT_FIELDS, mayDo, type ImportField, type ImportProblem, type ImportReportBody } from '@cimco/contract';
import type { TFunction } from 'i18next';
import { useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiRequestError } from '../../api/server-api.ts';
import { ROUTES } from '../../app/paths.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { formatNumber } from '../../ui/format.ts';
import { NotAllowed } from '../admin/NotAllowed.tsx';
import { callServer, isOffline, useServerReachable } from '../admin/server-call.ts';
import './import.css';

type Stage =
  | { kind: 'pick' }
  | { kind: 'checking'; file: string }
  | { kind: 'preview'; file: string; text: string; report: ImportReportBody }
  | { kind: 'applying'; file: string; done: number | null; total: number }
  | { kind: 'done'; file: string; report: ImportReportBody };

/** A column's name inside a sentence ("the part number"). */
function fieldName(field: ImportField | undefined, t: TFunction): string {
  return field && (IMPORT_FIELDS as readonly string[]).includes(field) ? t(`csv.fields.${field}`) : t('csv.fields.unknown');
}

/** One row problem in the reader's language: what is wrong, and what to do about it. */
export function problemText(problem: ImportProblem, t: TFunction, language: string): { what: string; todo: string } {
  const values = {
    field: fieldName(problem.field, t),
    value: problem.value ?? '',
    limit: problem.limit === undefined ? '' : formatNumber(problem.limit, language),
    firstLine: problem.firstLine ?? '',
  };
  return { what: t(`csv.problems.${problem.code}`, values), todo: t(`csv.advice.${problem.code}`, values) };
}

/** A failed call in the reader's language, by the server's code (never its English sentence). */
function failureText(error: unknown, t: TFunction): string {
  if (isOffline(error)) return t('csv.import.offline');
  if (!(error instanceof ApiRequestError)) return t('common.somethingWentWrong');
  if (error.code === 'invalid_csv') {
    const reason = error.fields?.reason?.[0];
    const column = error.fields?.column?.[0] as ImportField | undefined;
    if (reason === 'empty' || reason === 'no_header' || reason === 'missing_column' || reason === 'duplicate_column' || reason === 'no_rows') {
      return t(`csv.fileProblems.${reason}`, { column: fieldName(column, t) });
    }
  }
  if (error.code === 'forbidden') return t('common.notAllowed');
  if (error.code === 'payload_too_large') return t('csv.import.tooLarge');
  if (error.status === 401) return t('csv.import.signInAgain');
  if (error.code === 'device_required' || error.code === 'device_revoked') return t('csv.import.signInAgain');
  return t('common.somethingWentWrong');
}

/**
 * Importing the parts catalog from a spreadsheet (`/import`): pick or drop a CSV file, see what it
 * would do (the server's dry run: new parts, parts already in the catalog, each row's problems in
 * plain words with its line), then apply it with a progress bar of the rows really applied (the
 * server reports each), and a summary. It needs the server: offline, the screen says so.
 */
export function ImportScreen({ session }: { session: LocalSession }) {
  if (!mayDo(session.role, 'parts.import')) return <NotAllowed />;
  return <Importer session={session} />;
}

function Importer({ session }: { session: LocalSession }) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const reachable = useServerReachable();
  const [stage, setStage] = useState<Stage>({ kind: 'pick' });
  const [error, setError] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const n = (value: number) => formatNumber(value, i18n.language);

  const preview = async (file: File) => {
    setError(undefined);
    setStage({ kind: 'checking', file: file.name });
    try {
      const text = await file.text();
      const response = await callServer(session, '/api/import/parts?dryRun=true', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: text });
      setStage({ kind: 'preview', file: file.name, text, report: importReportSchema.parse(await response.json()) });
    } catch (caught) {
      setError(failureText(caught, t));
      setStage({ kind: 'pick' });
    }
  };

  const apply = async (file: string, text: string, total: number) => {
    setError(undefined);
    setStage({ kind: 'applying', file, done: null, total });
    try {
      const response = await callServer(session, '/api/import/parts?dryRun=false&progress=ndjson', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body: text,
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const message = JSON.parse(line) as { type: string; done?: number; total?: number; report?: unknown };
          if (message.type === 'progress') setStage({ kind: 'applying', file, done: message.done ?? 0, total: message.total ?? total });
          else if (message.type === 'report') {
            setStage({ kind: 'done', file, report: importReportSchema.parse(message.report) });
            return;
          } else if (message.type === 'error') throw new Error('import stopped');
        }
      }
      throw new Error('import answer ended early');
    } catch (caught) {
      setError(caught instanceof ApiRequestError ? failureText(caught, t) : t('csv.import.brokeOff'));
      setStage({ kind: 'pick' });
    }
  };

  const pickAnother = () => {
    setError(undefined);
    setStage({ kind: 'pick' });
    if (input.current) input.current.value = '';
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && reachable) void preview(file);
  };

  return (
    <section className="screen import-screen" aria-labelledby={`${ids}-title`}>
      <div className="screen-header">
        <h2 id={`${ids}-title`}>{t('csv.import.title')}</h2>
      </div>
      {!reachable && (
        <p className="error" role="alert" data-testid="import-offline">
          {t('csv.import.offline')}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}

      {(stage.kind === 'pick' || stage.kind === 'checking') && (
        <div
          className={`import-drop ${dragging ? 'is-dragging' : ''}`}
          data-testid="import-drop"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p>{t('csv.import.intro')}</p>
          <label htmlFor={`${ids}-file`}>{t('csv.import.pick')}</label>
          <input
            id={`${ids}-file`}
            ref={input}
            type="file"
            accept=".csv,text/csv,text/plain"
            disabled={!reachable || stage.kind === 'checking'}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void preview(file);
            }}
          />
          <p className="notice">{stage.kind === 'checking' ? t('csv.import.checking', { file: stage.file }) : t('csv.import.drop')}</p>
        </div>
      )}

      {stage.kind === 'preview' && (
        <div className="import-preview" data-testid="import-preview">
          <h3>{t('csv.import.previewTitle', { file: stage.file })}</h3>
          <Counts report={stage.report} n={n} />
          {stage.report.errors.length > 0 && <RowErrors report={stage.report} />}
          {stage.report.toCreate === 0 && <p className="notice">{t('csv.import.nothingToImport')}</p>}
          <div className="form-actions">
            <button type="button" className="secondary" onClick={pickAnother}>
              {t('csv.import.another')}
            </button>
            {stage.report.toCreate > 0 && (
              <button type="button" className="primary" disabled={!reachable} onClick={() => void apply(stage.file, stage.text, stage.report.toCreate)}>
                {t('csv.import.apply', { count: stage.report.toCreate, n: n(stage.report.toCreate) })}
              </button>
            )}
          </div>
        </div>
      )}

      {stage.kind === 'applying' && (
        <div className="import-progress">
          <label htmlFor={`${ids}-progress`}>
            {stage.done === null ? t('csv.import.sending') : t('csv.import.applying', { done: n(stage.done), total: n(stage.total) })}
          </label>
          {/* Indeterminate until the server reports its first row. */}
          {stage.done === null ? (
            <progress id={`${ids}-progress`} data-testid="import-progress" />
          ) : (
            <progress id={`${ids}-progress`} data-testid="import-progress" value={stage.done} max={Math.max(stage.total, 1)} />
          )}
        </div>
      )}

      {stage.kind === 'done' && (
        <div className="import-summary" data-testid="import-summary" role="status">
          <h3>{t('csv.import.doneTitle')}</h3>
          <ul className="import-counts">
            <li data-count="created">{t('csv.import.created', { count: stage.report.created ?? 0, n: n(stage.report.created ?? 0) })}</li>
            {stage.report.skipped.length > 0 && <li data-count="existing">{t('csv.import.existing', { count: stage.report.skipped.length, n: n(stage.report.skipped.length) })}</li>}
            {stage.report.errors.length > 0 && <li data-count="errors">{t('csv.import.errors', { count: stage.report.errors.length, n: n(stage.report.errors.length) })}</li>}
            {(stage.report.rejected ?? 0) > 0 && <li data-count="rejected">{t('csv.import.rejected', { count: stage.report.rejected ?? 0, n: n(stage.report.rejected ?? 0) })}</li>}
          </ul>
          {(stage.report.rejected ?? 0) > 0 && (
            <ul className="import-errors">
              {stage.report.results
                ?.filter((r) => r.status === 'rejected')
                .map((r) => (
                  <li key={r.line}>
                    <strong>{t('csv.import.line', { line: r.line })}</strong> {r.partNumber}: {t(`csv.import.refusedRow`)}
                  </li>
                ))}
            </ul>
          )}
          <div className="form-actions">
            <Link to={ROUTES.parts} className="button-link">
              {t('csv.import.openParts')}
            </Link>
            <button type="button" className="secondary" onClick={pickAnother}>
              {t('csv.import.importAnother')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function Counts({ report, n }: { report: ImportReportBody; n: (value: number) => string }) {
  const { t } = useTranslation();
  return (
    <ul className="import-counts" data-testid="import-counts">
      <li data-count="rows">{t('csv.import.rows', { count: report.rows, n: n(report.rows) })}</li>
      <li data-count="new">{t('csv.import.new', { count: report.toCreate, n: n(report.toCreate) })}</li>
      <li data-count="existing">{t('csv.import.existing', { count: report.skipped.length, n: n(report.skipped.length) })}</li>
      <li data-count="errors" className={report.errors.length > 0 ? 'has-errors' : ''}>
        {t('csv.import.errors', { count: report.errors.length, n: n(report.errors.length) })}
      </li>
    </ul>
  );
}

function RowErrors({ report }: { report: ImportReportBody }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <h4>{t('csv.import.errorsTitle')}</h4>
      <ul className="import-errors" data-testid="import-errors">
        {report.errors.map((row) => (
          <li key={row.line} data-line={row.line}>
            <strong>{t('csv.import.line', { line: row.line })}</strong>
            {row.partNumber && <span className="import-part-number"> · {row.partNumber}</span>}
            <ul>
              {row.problems.map((problem, i) => {
                const { what, todo } = problemText(problem, t, i18n.language);
                return (
                  <li key={i}>
                    {what} <span className="import-todo">{todo}</span>
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </>
  );
}
