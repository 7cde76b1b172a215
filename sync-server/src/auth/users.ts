import type pg from 'pg';
import type { Locale, Role, User } from '@cimco/contract';
import { v7 as uuidv7 } from 'uuid';
import { hashPassword } from './passwords.ts';

interface UserRow {
  id: string;
  site_id: string;
  username: string;
  display_name: string;
  role: Role;
  locale: Locale;
  password_hash: string;
  active: boolean;
}

export interface StoredUser extends User {
  passwordHash: string;
  active: boolean;
}

const COLUMNS = 'id, site_id, username, display_name, role, locale, password_hash, active';

function fromRow(row: UserRow): StoredUser {
  return {
    id: row.id,
    siteId: row.site_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    locale: row.locale,
    passwordHash: row.password_hash,
    active: row.active,
  };
}

/** The user as the API shows it: never the hash. */
export function publicUser(user: StoredUser): User {
  return {
    id: user.id,
    siteId: user.siteId,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    locale: user.locale,
  };
}

export async function findUserByUsername(pool: pg.Pool, username: string): Promise<StoredUser | undefined> {
  const { rows } = await pool.query<UserRow>(`select ${COLUMNS} from users where username = $1`, [
    username.trim().toLowerCase(),
  ]);
  return rows[0] && fromRow(rows[0]);
}

export async function findUserById(pool: pg.Pool, id: string): Promise<StoredUser | undefined> {
  const { rows } = await pool.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [id]);
  return rows[0] && fromRow(rows[0]);
}

export interface NewUser {
  siteId: string;
  username: string;
  displayName: string;
  role: Role;
  password: string;
  locale?: Locale;
}

export async function createUser(db: pg.Pool | pg.PoolClient, user: NewUser): Promise<User> {
  const id = uuidv7();
  const { rows } = await db.query<UserRow>(
    `insert into users (id, site_id, username, display_name, role, locale, password_hash)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [id, user.siteId, user.username.trim().toLowerCase(), user.displayName, user.role, user.locale ?? 'en', await hashPassword(user.password)],
  );
  return publicUser(fromRow(rows[0]!));
}
