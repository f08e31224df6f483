import type { ReactNode } from 'react';

/** A column heading; numeric columns are right-aligned. */
export type Column = string | { label: string; numeric: true };

/** A table of records that scrolls sideways on a narrow screen; `children` are its body rows. */
export function DataTable({
  columns,
  compact = false,
  children,
}: {
  columns: Column[];
  compact?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={compact ? 'table compact' : 'table'}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" className="num">
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
