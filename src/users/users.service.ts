import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AccessRevocations } from '../auth/access-revocations.service';
import { Permission, permissionsOf, Role } from '../auth/permissions';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RuleViolationError } from '../common/problem/app-error';
import { decodeCursor, encodeCursor, Page } from '../common/pagination/pagination';
import { forUpdate, isUniqueViolation } from '../database/query-helpers';
import { TransactionService } from '../database/transaction.service';
import { ListUsersQueryDto } from './dto/list-users.query.dto';
import { UserDto } from './dto/user.dto';
import { UserRole } from './entities/user-role.entity';
import { User } from './entities/user.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROFILE_COLUMNS = ['u.id', 'u.email', 'u.name', 'u.version', 'u.createdAt', 'u.updatedAt'] as const;

type ProfileRow = Pick<User, 'id' | 'email' | 'name' | 'version' | 'createdAt' | 'updatedAt'>;
export type VersionedUser = { user: UserDto; version: number };
export type AdminOutcome = 'created' | 'promoted' | 'unchanged' | 'refused';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toDto(row: ProfileRow, roles: Role[]): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(UserRole) private readonly userRoles: Repository<UserRole>,
    private readonly tx: TransactionService,
    private readonly revocations: AccessRevocations,
  ) {}

  /**
   * An email that already has an account is a ConflictError, unless `concealExisting` is set: then
   * nothing is written and the answer is the account that would have been created, so a public
   * caller cannot learn which addresses are registered.
   */
  async create(
    input: { email: string; name?: string | null; passwordHash: string; roles: Role[] },
    options: { concealExisting?: boolean } = {},
  ): Promise<UserDto> {
    const now = new Date();
    const row = { id: uuidv7(), email: input.email.trim(), name: input.name ?? null, version: 1, createdAt: now, updatedAt: now };
    try {
      await this.tx.run(async (manager) => {
        await manager.insert(User, { ...row, emailNormalized: normalizeEmail(input.email), passwordHash: input.passwordHash });
        await manager.insert(UserRole, input.roles.map((role) => ({ userId: row.id, role })));
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (!options.concealExisting) throw new ConflictError('An account with this email address already exists.');
    }
    return toDto(row, input.roles);
  }

  /** What signing in needs; undefined when no account has this email. */
  async findCredentials(email: string): Promise<{ id: string; passwordHash: string; roles: Role[]; version: number } | undefined> {
    const row = await this.users
      .createQueryBuilder('u')
      .select(['u.id', 'u.passwordHash', 'u.version'])
      .where('u.emailNormalized = :email', { email: normalizeEmail(email) })
      .getOne();
    return row ? { id: row.id, passwordHash: row.passwordHash, roles: await this.rolesOf(row.id), version: row.version } : undefined;
  }

  /** What an access token carries about an account: its roles and its version (see AccessRevocations). */
  async accessOf(userId: string): Promise<{ roles: Role[]; version: number }> {
    const row = await this.users.createQueryBuilder('u').select(['u.id', 'u.version']).where('u.id = :id', { id: userId }).getOne();
    if (!row) throw new NotFoundError('User', userId);
    return { roles: await this.rolesOf(userId), version: row.version };
  }

  async rolesOf(userId: string, manager?: EntityManager): Promise<Role[]> {
    const repository = manager?.getRepository(UserRole) ?? this.userRoles;
    const rows = await repository.find({ select: { role: true }, where: { userId }, order: { role: 'ASC' } });
    return rows.map((row) => row.role);
  }

  async get(id: string): Promise<VersionedUser> {
    const row = UUID.test(id)
      ? await this.users.createQueryBuilder('u').select([...PROFILE_COLUMNS]).where('u.id = :id', { id }).getOne()
      : null;
    if (!row) throw new NotFoundError('User', id);
    return { user: toDto(row, await this.rolesOf(id)), version: row.version };
  }

  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const qb = this.users.createQueryBuilder('u').select([...PROFILE_COLUMNS]);
    if (query.role) qb.innerJoin(UserRole, 'r', 'r.userId = u.id AND r.role = :role', { role: query.role });
    if (query.cursor) {
      const after = decodeCursor(query.cursor, (key): key is { id: string } => typeof key.id === 'string' && UUID.test(key.id));
      qb.andWhere('u.id > :after', { after: after.id });
    }
    const rows = await qb.orderBy('u.id', 'ASC').limit(query.limit + 1).getMany();
    const page = rows.slice(0, query.limit);
    const roleRows = page.length
      ? await this.userRoles.find({ where: { userId: In(page.map((row) => row.id)) }, order: { role: 'ASC' } })
      : [];
    return {
      data: page.map((row) => toDto(row, roleRows.filter((r) => r.userId === row.id).map((r) => r.role))),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: page[page.length - 1].id }) : null,
    };
  }

  /**
   * Replaces a user's roles. With `expectedVersion` (from If-Match) a stale edit fails with 412.
   * The last admin cannot lose the role: the admin rows are locked while that is checked.
   * An `actorId` must still hold users:write now (the token it acts with may be a second old).
   * The user's access tokens issued before the change are revoked on every instance.
   */
  async setRoles(id: string, roles: Role[], options: { expectedVersion?: number; actorId?: string } = {}): Promise<VersionedUser> {
    const { expectedVersion, actorId } = options;
    if (!UUID.test(id)) throw new NotFoundError('User', id);
    await this.tx.run(async (manager) => {
      if (actorId && !permissionsOf(await this.rolesOf(actorId, manager)).has(Permission.UsersWrite)) {
        throw new ForbiddenError('Your roles no longer allow changing roles; sign in again.');
      }
      const current = await forUpdate(
        manager.createQueryBuilder(User, 'u').select(['u.id', 'u.version']).where('u.id = :id', { id }),
      ).getOne();
      if (!current) throw new NotFoundError('User', id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new PreconditionFailedError('The user changed since you read it; fetch it again and retry.');
      }
      if (!roles.includes(Role.Admin)) {
        const admins = await forUpdate(
          manager.createQueryBuilder(UserRole, 'r').select(['r.userId']).where('r.role = :role', { role: Role.Admin }),
        ).getMany();
        if (admins.length === 1 && admins[0].userId === id) {
          throw new RuleViolationError('The last admin cannot give up the admin role.');
        }
      }
      await manager.delete(UserRole, { userId: id });
      await manager.insert(UserRole, roles.map((role) => ({ userId: id, role })));
      await manager.update(User, { id, version: current.version }, { version: current.version + 1, updatedAt: new Date() });
      await this.revocations.revokeUserTokensBefore(manager, id, current.version + 1);
    });
    await this.revocations.sync();
    return this.get(id);
  }

  /**
   * Makes sure the account exists and holds the admin role; its password is set only when it is
   * created. An existing non-admin account is promoted only when `promoteExisting` says so: a
   * configured admin address that anyone could have registered first must not become admin.
   */
  async ensureAdmin(email: string, passwordHash: () => Promise<string>, promoteExisting: boolean): Promise<AdminOutcome> {
    const existing = await this.findCredentials(email);
    if (!existing) {
      try {
        await this.create({ email, passwordHash: await passwordHash(), roles: [Role.Admin] });
        return 'created';
      } catch (error) {
        // Another process (a second replica booting, the CLI) created it meanwhile: check that one.
        if (!(error instanceof ConflictError)) throw error;
        return this.ensureAdmin(email, passwordHash, promoteExisting);
      }
    }
    if (existing.roles.includes(Role.Admin)) return 'unchanged';
    if (!promoteExisting) return 'refused';
    await this.setRoles(existing.id, [...existing.roles, Role.Admin]);
    return 'promoted';
  }
}
