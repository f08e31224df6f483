import type { Project, SnapshotEntry } from '@codevf/protocol';
import { useState } from 'react';
import { api } from '../../api/api';
import { CodeView } from '../../components/CodeView';
import { ErrorState, Loading } from '../../components/States';
import { UntrustedText } from '../../components/UntrustedText';
import { useAsync } from '../../hooks/useAsync';
import { formatBytes } from '../../lib/format';

/**
 * What the engineer knows of the customer's project before asking anything: its name, type,
 * test and build commands (one click prepares a request to run the tests), the branch and
 * commit last synced, and the snapshot the customer chose to upload, as a file tree with a file
 * viewer. Served only while the engineer's task on the project is active. Every string here is
 * the customer's: names, paths, commands and file text are rendered as untrusted text.
 */
export function ProjectPanel({
  projectId,
  onPrepareCommand,
}: {
  projectId: string;
  /** Fills the command request form (the engineer still sends it, with a reason). */
  onPrepareCommand: (command: string) => void;
}) {
  const project = useAsync((signal) => api.project(projectId, signal), [projectId]);
  const p = project.data;
  return (
    <section className="card project-panel" aria-label="Project">
      <h2>Project</h2>
      {project.error ? (
        <ErrorState error={project.error} retry={project.reload} />
      ) : !p ? (
        <Loading label="Loading the project…" />
      ) : (
        <>
          <dl className="facts">
            <dt>Name</dt>
            <dd data-testid="project-name">
              <UntrustedText text={p.name} />
            </dd>
            <dt>Type</dt>
            <dd>{p.type}</dd>
            <Command label="Test" command={p.testCommand} onPrepare={onPrepareCommand} />
            <Command label="Build" command={p.buildCommand} onPrepare={null} />
            <dt>Synced</dt>
            <dd data-testid="project-sync">
              <Sync project={p} />
            </dd>
          </dl>
          {p.lastSnapshot ? (
            <SnapshotBrowser projectId={p.id} snapshotId={p.lastSnapshot.snapshotId} />
          ) : (
            <p className="muted">The customer has not uploaded a snapshot of the code.</p>
          )}
        </>
      )}
    </section>
  );
}

function Command({
  label,
  command,
  onPrepare,
}: {
  label: string;
  command: string;
  onPrepare: ((command: string) => void) | null;
}) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {command ? (
          <>
            <code className="mono" data-testid={`project-${label.toLowerCase()}-command`}>
              <UntrustedText text={command} />
            </code>{' '}
            {onPrepare ? (
              <button type="button" className="btn small" onClick={() => onPrepare(command)}>
                Prepare a request to run it
              </button>
            ) : null}
          </>
        ) : (
          <span className="muted">none set</span>
        )}
      </dd>
    </>
  );
}

function Sync({ project }: { project: Project }) {
  const sync = project.lastSync;
  if (!sync) return <span className="muted">never synced</span>;
  return (
    <>
      branch{' '}
      <code className="mono">
        <UntrustedText text={sync.branch} />
      </code>{' '}
      at <code className="mono">{sync.commit.slice(0, 12)}</code>
      {sync.dirty ? ' (with uncommitted changes)' : ''}
    </>
  );
}

/** The snapshot's files, one list (paths sort into their folders), and the chosen file. */
function SnapshotBrowser({ projectId, snapshotId }: { projectId: string; snapshotId: string }) {
  const listing = useAsync((signal) => api.snapshotFiles(projectId, signal), [projectId, snapshotId]);
  const [open, setOpen] = useState<SnapshotEntry | null>(null);
  const l = listing.data;
  if (listing.error) return <ErrorState error={listing.error} retry={listing.reload} />;
  if (!l) return <Loading label="Reading the snapshot…" />;
  return (
    <div className="snapshot-browser">
      <h3>
        Snapshot files ({l.entries.length}
        {l.truncated ? '+, list cut short' : ''})
      </h3>
      <ul className="file-tree" aria-label="Snapshot files">
        {l.entries.map((e) => (
          <li key={e.path} className={`depth-${Math.min(e.path.split('/').length - 1, 6)}`}>
            {e.type === 'symlink' ? (
              <span className="mono">
                <UntrustedText text={e.path} /> → <UntrustedText text={e.linkTarget ?? ''} />
              </span>
            ) : (
              <button
                type="button"
                className="link-button mono"
                aria-current={open?.path === e.path ? 'true' : undefined}
                onClick={() => setOpen(e)}
              >
                <UntrustedText text={e.path} />
              </button>
            )}{' '}
            <span className="muted small-print">{e.type === 'file' ? formatBytes(e.size) : 'link'}</span>
          </li>
        ))}
      </ul>
      {open ? <FileViewer projectId={projectId} path={open.path} /> : null}
    </div>
  );
}

function FileViewer({ projectId, path }: { projectId: string; path: string }) {
  const file = useAsync((signal) => api.snapshotFile(projectId, path, signal), [projectId, path]);
  const f = file.data;
  return (
    <div className="file-viewer" data-testid="snapshot-file">
      <h3 className="mono">
        <UntrustedText text={path} />
      </h3>
      {file.error ? (
        <ErrorState error={file.error} retry={file.reload} />
      ) : !f || f.path !== path ? (
        <Loading label="Opening the file…" />
      ) : f.binary || f.text === undefined ? (
        <p className="muted">A binary file ({formatBytes(f.size)}): not shown.</p>
      ) : (
        <>
          <CodeView content={f.text} path={path} />
          {f.truncated ? <p className="muted">Only the first 512 KiB of {formatBytes(f.size)} are shown.</p> : null}
        </>
      )}
    </div>
  );
}
