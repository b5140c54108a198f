import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AdminOutcome, UsersService } from '../users/users.service';
import { PasswordService } from './password.service';

/** The first admin comes from ADMIN_EMAIL / ADMIN_PASSWORD (or `npm run create-admin`), never from code. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.admin;
    if (!admin) return;
    const outcome = await this.ensureAdmin(admin.email, admin.password, { promoteExisting: false });
    if (outcome === 'refused') {
      this.logger.error(
        { event: 'admin.refused' },
        'ADMIN_EMAIL names an existing account without the admin role; it was not promoted. Run `npm run create-admin` to promote it deliberately.',
      );
    } else {
      this.logger.log({ event: `admin.${outcome}` }, `admin account ${outcome}`);
    }
  }

  ensureAdmin(email: string, password: string, options: { promoteExisting: boolean }): Promise<AdminOutcome> {
    return this.users.ensureAdmin(email, () => this.passwords.hash(password), options.promoteExisting);
  }
}
