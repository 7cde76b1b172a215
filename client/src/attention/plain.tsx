import { useTranslation } from 'react-i18next';
import { useLiveQuery } from '../db/react.ts';
import { formatDate, formatDateTime, formatNumber } from '../ui/format.ts';

/**
 * What the server said and what was entered, in the reader's words: a field's label (not its
 * column or argument name), its value formatted (dates, priorities, statuses as words, names for
 * ids), and a refusal's reason translated by its code — never the server's English message.
 */

type LooseT = (key: string, options?: Record<string, unknown>) => string;

/** `equipment_id`, `equipmentId` → `equipment`; `due_date` → `dueDate`. */
export function fieldKey(name: string): string {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel.endsWith('Id') && camel.length > 2 ? camel.slice(0, -2) : camel;
}

/** The translated label of a field (an argument or a column), or a generic "Other detail". */
export function useFieldLabel(): (name: string) => string {
  const { t, i18n } = useTranslation();
  const tx = t as unknown as LooseT;
  return (name) => {
    const key = `attention.fields.${fieldKey(name)}`;
    return i18n.exists(key) ? tx(key) : tx('attention.fields.other');
  };
}

/** The reason for a refusal or a conflict result, translated by its code; a generic sentence for an unknown one. */
export function useReasonText(): (code: string | null | undefined) => string {
  const { t, i18n } = useTranslation();
  const tx = t as unknown as LooseT;
  return (code) => (code && i18n.exists(`attention.codes.${code}`) ? tx(`attention.codes.${code}`) : tx('attention.unknownReason'));
}

const PRIORITY_WORDS: Record<number, string> = { 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };

/** Fields holding the id of another row: shown by that row's name. */
const REFERENCE_SQL: Record<string, string> = {
  equipment: `select tag || ' ' || name as name from equipment where id = $1`,
  parent: `select tag || ' ' || name as name from equipment where id = $1`,
  assignee: `select display_name as name from users where id = $1`,
  part: `select part_number || ' ' || name as name from parts where id = $1`,
  task: `select title as name from tasks where id = $1`,
};

function ReferenceName({ table, id }: { table: string; id: string }) {
  const { t } = useTranslation();
  const row = useLiveQuery<{ name: string }>(REFERENCE_SQL[table]!, [id])?.rows[0];
  return <>{row?.name ?? t('attention.none_value')}</>;
}

/**
 * A value as the person knows it. `command` (e.g. `task.setStatus`) or `entity` (e.g. `tasks`)
 * says which statuses and categories a value belongs to.
 */
export function PlainValue({ field, value, about }: { field: string; value: unknown; about: string }) {
  const { t, i18n } = useTranslation();
  const tx = t as unknown as LooseT;
  const language = i18n.language;
  const key = fieldKey(field);
  const word = (path: string, fallback: string) => (i18n.exists(path) ? tx(path) : fallback);

  if (value === null || value === undefined || value === '') return <>{t('attention.none_value')}</>;
  if (typeof value === 'boolean') return <>{value ? t('attention.yes') : t('attention.no')}</>;
  if (typeof value === 'string' && REFERENCE_SQL[key] && /^[0-9a-f-]{36}$/i.test(value)) return <ReferenceName table={key} id={value} />;
  const isTask = about.startsWith('task');
  const isEquipment = about.startsWith('equipment');
  const isOrder = about.startsWith('order') || about === 'incoming_orders';
  switch (key) {
    case 'priority':
    case 'criticality': {
      const level = PRIORITY_WORDS[Number(value)];
      return <>{level ? tx(`tasks.priorities.${level}`) : String(value)}</>;
    }
    case 'status':
      if (isTask) return <>{word(`tasks.status.${String(value)}`, String(value))}</>;
      if (isEquipment) return <>{word(`equipment.status.${String(value)}`, String(value))}</>;
      if (isOrder) return <>{word(`orders.status.${String(value)}`, String(value))}</>;
      break;
    case 'category':
      if (isTask) return <>{word(`tasks.categories.${String(value)}`, String(value))}</>;
      break;
    case 'type':
      if (isEquipment) return <>{word(`equipment.types.${String(value)}`, String(value))}</>;
      break;
    case 'kind':
      return <>{word(`log.kinds.${String(value)}`, String(value))}</>;
    case 'reason':
      if (about === 'stock.adjust') return <>{word(`parts.reason.${String(value)}`, String(value))}</>;
      break;
    case 'meterUnit':
      return <>{word(`equipment.meterUnits.${String(value)}`, String(value))}</>;
    case 'locale':
      return <>{value === 'es' ? 'Español' : value === 'en' ? 'English' : String(value)}</>;
    case 'dueDate':
    case 'expectedAt':
      return <>{formatDate(String(value), language)}</>;
  }
  if (typeof value === 'number') return <>{formatNumber(value, language)}</>;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return <>{formatDateTime(value, language)}</>;
  if (typeof value === 'string') return <>{value}</>;
  // An object (a JSON value): its fields one by one, each labelled.
  if (typeof value === 'object') return <PlainFields values={value as Record<string, unknown>} about={about} />;
  return <>{String(value)}</>;
}

/** Ids and the tablet's bookkeeping are not what a person entered. */
function shown(key: string): boolean {
  return !['id', 'movementId', 'mutationId', 'base', 'password', 'knowledgeId'].includes(key);
}

/** Entered values as a labelled list (the `changes` of an edit are listed as fields of their own). */
export function PlainFields({ values, about }: { values: Record<string, unknown>; about: string }) {
  const label = useFieldLabel();
  const entries = Object.entries(values).flatMap(([key, value]): [string, unknown][] =>
    key === 'changes' && value && typeof value === 'object' ? Object.entries(value as Record<string, unknown>) : [[key, value]],
  );
  return (
    <dl className="attention-entered plain-fields">
      {entries
        .filter(([key]) => shown(key))
        .map(([key, value]) => (
          <div key={key}>
            <dt>{label(key)}</dt>
            <dd>
              <PlainValue field={key} value={value} about={about} />
            </dd>
          </div>
        ))}
    </dl>
  );
}
