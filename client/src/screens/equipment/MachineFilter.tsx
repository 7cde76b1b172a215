import type { MachineOption } from '../tasks/reference-data.ts';

/**
 * A list's machine filter (by tag, as it stands in the URL): every machine, or one. A machine named
 * in the URL stays choosable even if it is retired, so a link opens the list it was made from.
 */
export function MachineFilter({
  id,
  label,
  allLabel,
  value,
  machines,
  onChange,
}: {
  id: string;
  label: string;
  allLabel: string;
  value: string;
  machines: readonly MachineOption[];
  onChange: (tag: string) => void;
}) {
  return (
    <div className="filter-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{allLabel}</option>
        {value && !machines.some((m) => m.tag === value) && <option value={value}>{value}</option>}
        {machines.map((machine) => (
          <option key={machine.id} value={machine.tag}>
            {machine.tag} — {machine.name}
          </option>
        ))}
      </select>
    </div>
  );
}
