import type { TFunction } from 'i18next';

/**
 * A refusal by the server, in the reader's language, from its code and details (the server's own
 * message is English, for its logs). Undefined for a code this does not know: the caller falls
 * back to what it showed before.
 */
export function refusalText(
  refusal: { name: string; code: string | null; details: Record<string, unknown> | null; args?: Record<string, unknown> },
  t: TFunction,
): string | undefined {
  const details = refusal.details ?? {};
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  if (refusal.name.startsWith('order.')) {
    switch (refusal.code) {
      case 'already_received': {
        const received = number(details.received);
        const ordered = number(details.ordered);
        return received !== undefined && ordered !== undefined
          ? t('orders.refusals.already_received', { received, ordered })
          : t('orders.refusals.already_received_short');
      }
      case 'cancelled':
        return t('orders.refusals.cancelled');
      case 'not_found':
        return t('orders.refusals.not_found');
      default:
        return undefined;
    }
  }
  if (refusal.name.startsWith('part.')) {
    switch (refusal.code) {
      case 'duplicate_part_number': {
        const partNumber = typeof details.existingPartNumber === 'string' ? details.existingPartNumber : undefined;
        const name = typeof details.existingName === 'string' ? details.existingName : '';
        return partNumber ? t('catalog.refusals.duplicate_part_number', { partNumber, name }) : t('catalog.refusals.duplicate_part_number_short');
      }
      case 'deleted':
        return t('catalog.refusals.deleted');
      default:
        return undefined;
    }
  }
  return undefined;
}
