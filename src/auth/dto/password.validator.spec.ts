import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { RegisterDto } from './auth.dto';
import { PASSWORD_SCORED_LENGTH, passwordWeakness } from './password.validator';

const ADA = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

describe('passwordWeakness', () => {
  it.each(['correct-horse-battery-9', 'violet tractor sings under the bridge', 'vK3#pw9-Lmq2', `it's "quoted"; --' OR '1'='1`])(
    'accepts %s',
    (password) => {
      expect(passwordWeakness(password, ADA)).toBeUndefined();
    },
  );

  it.each([
    ['a breached password', 'password1234', /commonly used password/],
    ['a breached password in capitals', 'PASSWORD1234', /commonly used password/],
    ['a breached keyboard walk', '1qaz2wsx3edc', /commonly used password/],
    ['a keyboard row', 'zxcvbnm,./asdf', /Straight rows of keys/],
    ['a sequence', 'abcdefghij12', /sequences like "abc"/],
  ])('refuses %s, with zxcvbn’s advice', (_kind, password, advice) => {
    const weakness = passwordWeakness(password, {});
    expect(weakness).toMatch(/^password is too easy to guess\. /);
    expect(weakness).toMatch(advice);
  });

  it.each(['Sunshine-2024!', 'P@ssw0rd-P@ssw0rd', 'Emporium12345!'])(
    'refuses %s, which reaches zxcvbn’s score 3 but not 4, and still says what helps',
    (password) => {
      expect(passwordWeakness(password, {})).toBe('password is too easy to guess. Add more words that are less common.');
    },
  );

  it('refuses the local part of the email and the name, ignoring case and punctuation', () => {
    const localPart = 'password must not contain the part of your email address before the @';
    expect(passwordWeakness('Ada.Lovelace1815', ADA)).toBe(localPart);
    expect(passwordWeakness('ada-lovelace-1815', ADA)).toBe(localPart);
    expect(passwordWeakness('my ADA LOVELACE passphrase', ADA)).toBe(localPart);
    expect(passwordWeakness('grace-hopper-cobol-1906', { email: 'Grace+shop@example.com' })).toBe(localPart);
    const katherine = { email: 'kj@example.com', name: 'Katherine Johnson' };
    expect(passwordWeakness('Katherine Johnson', katherine)).toBe('password must not contain your name');
    expect(passwordWeakness('Katherine-Johnson-1918', katherine)).toBe('password must not contain your name');
  });

  it('does not ban local parts short enough to sit inside ordinary words', () => {
    expect(passwordWeakness('Totally-Normal-Walrus-42', { email: 'al@example.com' })).toBeUndefined();
    expect(passwordWeakness('Totally-Normal-Walrus-42', { email: 'tom@example.com', name: 'Al' })).toBeUndefined();
  });

  it('gives zxcvbn the email and name as words an attacker would try first', () => {
    expect(passwordWeakness('lovelace_ada_85', {})).toBeUndefined();
    expect(passwordWeakness('lovelace_ada_85', ADA)).toMatch(/too easy to guess/);
  });

  it(`scores only the first ${PASSWORD_SCORED_LENGTH} characters`, () => {
    const strong = 'xK9#mQ2$vL4w-Tr7&nB3^pZ6@hJ1(cF5';
    expect(strong).toHaveLength(PASSWORD_SCORED_LENGTH);
    expect(passwordWeakness(`${strong}${'a'.repeat(200)}`, {})).toBeUndefined();
    expect(passwordWeakness(`${'password'.repeat(4)}${strong}`, {})).toMatch(/too easy to guess/);
  });

  it('never repeats the password in its message', () => {
    for (const password of ['password1234', 'Ada.Lovelace1815', 'Sunshine-2024!']) {
      expect(passwordWeakness(password, ADA)?.toLowerCase()).not.toContain(password.toLowerCase());
    }
  });

  it('bounds the work for long crafted passwords (zxcvbn’s defaults take seconds on these)', () => {
    const crafted = ['4@8({[<3&6#!|1i0$5+7%2'.repeat(12), 'P4$$w0rd!1984-12-31qwerty'.repeat(11), '19841231'.repeat(32)];
    for (const password of crafted) {
      const started = performance.now();
      passwordWeakness(password.slice(0, 256), ADA);
      // Typically tens of milliseconds; the bound leaves room for a busy machine.
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('@IsAcceptablePassword on RegisterDto', () => {
  const passwordErrors = async (body: object) => {
    const errors = await validate(plainToInstance(RegisterDto, body));
    return errors.find((error) => error.property === 'password')?.constraints ?? {};
  };

  it('reads the email and name sent with the password', async () => {
    expect(await passwordErrors({ email: ' Ada.Lovelace@example.com ', password: 'ada.lovelace-1815' })).toEqual({
      isHardToGuessPassword: 'password must not contain the part of your email address before the @',
    });
    expect(await passwordErrors({ email: 'kj@example.com', name: ' Katherine Johnson ', password: 'katherine.johnson' })).toEqual({
      isHardToGuessPassword: 'password must not contain your name',
    });
    expect(await passwordErrors({ email: 'kj@example.com', password: 'correct-horse-battery-9' })).toEqual({});
  });

  it('reports a wrong length or type once, without scoring it', async () => {
    expect(await passwordErrors({ email: 'kj@example.com', password: 'qwerty' })).toEqual({
      minLength: 'password must be at least 12 characters',
    });
    expect(Object.keys(await passwordErrors({ email: 'kj@example.com', password: 'x'.repeat(257) }))).toEqual(['maxLength']);
    expect(Object.keys(await passwordErrors({ email: 'kj@example.com', password: 123456789012345 })).sort()).toEqual([
      'isString',
      'maxLength',
      'minLength',
    ]);
  });
});
