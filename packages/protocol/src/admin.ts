import { z } from 'zod';
import { Email, Me, Password, Role, Task, TaskMode, TaskStatus } from './api';

/** The admin API (docs/PROTOCOL.md §2.5): users, roles and credit grants; admins only. */

/** A user as an admin sees it: GET /v1/admin/users (`{users: [...]}`), and the answer of every admin call. */
export const AdminUser = Me.extend({ disabled: z.boolean(), createdAt: z.string() });
export type AdminUser = z.infer<typeof AdminUser>;
export const AdminUserList = z.object({ users: z.array(AdminUser) });
export type AdminUserList = z.infer<typeof AdminUserList>;

/** POST /v1/admin/users: a user without a password signs in through the device flow only. */
export const NewUserBody = z.object({
  email: Email,
  name: z.string().trim().min(1).max(100),
  role: Role,
  password: Password.optional(),
  title: z.string().trim().max(100).optional(),
});
export type NewUserBody = z.input<typeof NewUserBody>;

/** PATCH /v1/admin/users/:id: only the keys sent change. */
export const UserPatchBody = z
  .object({
    role: Role.optional(),
    disabled: z.boolean().optional(),
    name: z.string().trim().min(1).max(100).optional(),
    title: z.string().trim().max(100).nullable().optional(),
  })
  .strict();
export type UserPatchBody = z.input<typeof UserPatchBody>;

/** POST /v1/admin/credits: adds credits to the user with this email (a ledger `grant` row). */
export const CreditGrantBody = z.object({
  email: Email,
  amount: z.number().int().min(1).max(1_000_000),
  note: z.string().max(200).optional(),
});
export type CreditGrantBody = z.input<typeof CreditGrantBody>;

// ---- overview (GET /v1/admin/tasks, GET /v1/admin/engineers) ------------------------------

/** A calendar day, `YYYY-MM-DD` (UTC): the overview's date filters cover whole days. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'must be a real calendar day',
    },
  );

export const ADMIN_TASKS_MAX_LIMIT = 100;

/**
 * GET /v1/admin/tasks query: every task, newest first, paged by `limit`/`offset`; filters by
 * status, mode, engineer and the day it was created (`from`/`to` inclusive, UTC).
 */
export const AdminTasksQuery = z
  .object({
    status: TaskStatus.optional(),
    mode: TaskMode.optional(),
    engineerId: z.string().min(1).max(64).optional(),
    from: Day.optional(),
    to: Day.optional(),
    limit: z.coerce.number().int().min(1).max(ADMIN_TASKS_MAX_LIMIT).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type AdminTasksQuery = z.input<typeof AdminTasksQuery>;

/** GET /v1/admin/tasks: one page of tasks and how many match in all. */
export const AdminTaskList = z.object({
  tasks: z.array(Task),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type AdminTaskList = z.infer<typeof AdminTaskList>;

/**
 * GET /v1/admin/engineers: each engineer's sessions (tasks they are the engineer of), their
 * average rating (null before the first) and the median time from a task's creation to their
 * claim (tasks the AI handed over are left out: their claim time is the AI's).
 */
export const AdminEngineer = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  title: z.string().nullable(),
  disabled: z.boolean(),
  sessions: z.number().int(),
  activeSessions: z.number().int(),
  ratings: z.number().int(),
  averageRating: z.number().nullable(),
  medianClaimSeconds: z.number().int().nullable(),
});
export type AdminEngineer = z.infer<typeof AdminEngineer>;
export const AdminEngineerList = z.object({ engineers: z.array(AdminEngineer) });
export type AdminEngineerList = z.infer<typeof AdminEngineerList>;
