import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AppModule } from '../../app.module';
import { AdminBootstrap } from '../../auth/admin.bootstrap';
import { RegisterDto } from '../../auth/dto/auth.dto';
import { ConfigError, loadConfig, readEnvFile } from '../../config/app-config';
import type { AdminOutcome } from '../users.service';

const USAGE = `Usage: npm run create-admin -- <email>

Creates an admin account, or gives an existing account the admin role, on the configured
database (DATABASE_URL, or the SQLite file at DATABASE_SQLITE_PATH). Pending migrations are
applied first unless DATABASE_MIGRATIONS_RUN=false.

  email     argument, or ADMIN_EMAIL
  password  ADMIN_PASSWORD; otherwise prompted for (no echo) on a terminal, or the first line of stdin`;

class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** The rules registration applies to an email and password, reported as one line. */
async function credentialsProblem(email: string, password: string): Promise<string | undefined> {
  const errors = await validate(plainToInstance(RegisterDto, { email, password }));
  return errors.flatMap((error) => Object.values(error.constraints ?? {}))[0];
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(chars.join('')));
        if (char === '\u0003') return finish(() => reject(new UsageError('cancelled')));
        if (char === '\u007f' || char === '\b') chars = chars.slice(0, -1);
        else if (char >= ' ') chars.push(char);
      }
    };
    process.stderr.write(question);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/** The first line of piped stdin (`printf '%s\n' "$PASSWORD" | npm run create-admin -- a@b.c`). */
async function readFirstLine(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin as AsyncIterable<string>) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/, 1)[0];
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await promptHidden('Password for the admin account: ');
  if ((await promptHidden('Repeat the password: ')) !== password) throw new UsageError('the passwords do not match');
  return password;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  // Like the server: `.env` when present, real environment variables win.
  readEnvFile();

  const email = (process.argv[2] ?? process.env.ADMIN_EMAIL ?? '').trim();
  if (!email) throw new UsageError('give the email address as an argument or in ADMIN_EMAIL', true);
  const password = await readPassword();
  const problem = await credentialsProblem(email, password);
  if (problem) throw new UsageError(problem, true);

  // ADMIN_EMAIL / ADMIN_PASSWORD are this command's input, not the app's: left in, AdminBootstrap
  // would act on them at boot too. The CLI is quiet unless LOG_LEVEL says otherwise.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  try {
    app.useLogger(app.get(Logger));
    // Running this command is the operator's deliberate choice, so an existing account is promoted.
    const outcome = await app.get(AdminBootstrap).ensureAdmin(email, password, { promoteExisting: true });
    const where = config.database.url ? 'the MySQL database' : config.database.sqlitePath;
    const messages: Record<AdminOutcome, string> = {
      created: `created admin account ${email} in ${where}`,
      promoted: `${email} already had an account in ${where}; it now has the admin role (its password is unchanged)`,
      unchanged: `${email} is already an admin in ${where}; nothing changed (its password is unchanged)`,
      refused: `${email} was not promoted`,
    };
    console.log(messages[outcome]);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`create-admin: ${error.message}${error.showUsage ? `\n\n${USAGE}` : ''}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
