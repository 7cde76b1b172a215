import type { TaskCategory } from '@cimco/contract';

/** A task template as the screens show it (from the `task_templates` overlay: saved offline at once). */
export interface TemplateRow {
  id: string;
  title: string;
  category: TaskCategory;
  priority: number;
  checklist: string | null;
  typical_parts: string | null;
  pending: boolean;
}

/** The yard's templates, by title. */
export const TEMPLATES_SQL = `select id, title, category, priority, checklist, typical_parts, pending
  from task_templates where deleted_at is null order by lower(title), id`;

/**
 * What a task made from a template describes: its checklist, then the parts it usually takes
 * (`partsLabel` in the person's language: it is stored in the task's text).
 */
export function descriptionFromTemplate(template: Pick<TemplateRow, 'checklist' | 'typical_parts'>, partsLabel: string): string | null {
  const pieces = [template.checklist?.trim(), template.typical_parts?.trim() && `${partsLabel}: ${template.typical_parts.trim()}`].filter(Boolean);
  return pieces.length > 0 ? pieces.join('\n\n').slice(0, 4000) : null;
}
