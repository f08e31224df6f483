import { z } from 'zod';
import { Email, Me, Password, Role } from './api';

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
