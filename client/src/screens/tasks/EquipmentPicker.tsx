import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MachineOption } from './reference-data.ts';

/** The picker's text for a chosen machine. */
export function machineLabel(machine: { tag: string | null; name: string | null }): string {
  return [machine.tag, machine.name].filter(Boolean).join(' — ');
}

/** The machines matching what was typed: exact tag first, then tags starting with it, then the rest. */
export function matchMachines(machines: readonly MachineOption[], typed: string, limit = 30): MachineOption[] {
  const query = typed.trim().toLowerCase();
  if (!query) return machines.slice(0, limit);
  const rank = (m: MachineOption) => (m.tag.toLowerCase() === query ? 0 : m.tag.toLowerCase().startsWith(query) ? 1 : 2);
  return machines
    .filter((m) => m.tag.toLowerCase().includes(query) || m.name.toLowerCase().includes(query) || (m.area ?? '').toLowerCase().includes(query))
    .sort((a, b) => rank(a) - rank(b) || a.tag.localeCompare(b.tag, undefined, { numeric: true }))
    .slice(0, limit);
}

/**
 * Choose a machine by typing part of its tag or name (a combobox: arrows move through the
 * matches, Enter or a tap picks one, Escape closes the list). `selectedLabel` is what the field
 * shows at first for the current value.
 */
export function EquipmentPicker({
  id,
  machines,
  value,
  selectedLabel,
  onChange,
  error,
  errorId,
}: {
  id: string;
  machines: readonly MachineOption[];
  value: string | null;
  selectedLabel: string;
  onChange: (machine: { id: string; label: string } | null) => void;
  error?: string;
  errorId?: string;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const [text, setText] = useState(selectedLabel);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  // With a machine chosen the field shows its label: offer every machine until something is typed.
  const options = useMemo(() => matchMachines(machines, value ? '' : text), [machines, value, text]);
  const shown = open ? options : [];

  function choose(option: MachineOption) {
    const label = machineLabel(option);
    setText(label);
    setOpen(false);
    onChange({ id: option.id, label });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => Math.min(i + 1, shown.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter' && open && shown.length > 0) {
      // Enter picks the highlighted machine; it submits the form only when the list is closed.
      event.preventDefault();
      const option = shown[Math.min(active, shown.length - 1)];
      if (option) choose(option);
    } else if (event.key === 'Escape' && open) {
      // Close the list, not the dialog around it.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  }

  const activeOption = shown[Math.min(active, shown.length - 1)];
  return (
    <div className="equipment-picker">
      <div className="picker-input">
        <input
          id={id}
          type="text"
          role="combobox"
          autoComplete="off"
          aria-autocomplete="list"
          aria-expanded={open && shown.length > 0}
          aria-controls={listId}
          aria-activedescendant={open && activeOption ? `${listId}-${activeOption.id}` : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          placeholder={t('tasks.equipmentPlaceholder')}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
            setOpen(true);
            if (value) onChange(null);
          }}
          onFocus={() => setOpen(!value)}
          onClick={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {(value || text) && (
          <button
            type="button"
            className="picker-clear"
            onClick={() => {
              setText('');
              setOpen(false);
              onChange(null);
            }}
          >
            {t('tasks.clear')}
          </button>
        )}
      </div>
      <ul id={listId} role="listbox" className="picker-list" hidden={!open || shown.length === 0}>
        {shown.map((option, index) => (
          <li
            key={option.id}
            id={`${listId}-${option.id}`}
            role="option"
            aria-selected={index === Math.min(active, shown.length - 1)}
            className="picker-option"
            // Keep the focus in the field: a tap picks without a blur closing the list first.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(option)}
          >
            <span className="picker-tag">{option.tag}</span> <span className="picker-name">{option.name}</span>
            {option.area && <span className="picker-area">{option.area}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
