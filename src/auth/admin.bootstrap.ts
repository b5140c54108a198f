import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UsersService } from '../users/users.service';
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
    if (admin) await this.ensureAdmin(admin.email, admin.password);
  }

  async ensureAdmin(email: string, password: string): Promise<void> {
    const outcome = await this.users.ensureAdmin(email, () => this.passwords.hash(password));
    this.logger.log({ event: `admin.${outcome}` }, `admin account ${outcome}`);
  }
}
