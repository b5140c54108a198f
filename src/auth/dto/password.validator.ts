import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEnglish from '@zxcvbn-ts/language-en';
import { IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/**
 * zxcvbn's top score: at least 10^10 guesses. Score 3 (10^8) is what zxcvbn grants any password of
 * three parts or more (it adds 10^4 guesses per part), so 'P@ssw0rd-P@ssw0rd' and 'Sunshine-2024!'
 * pass it. Passphrases and random passwords of 12 or more characters reach 4.
 */
const PASSWORD_MIN_SCORE = 4;
/**
 * zxcvbn's work grows with the length it scores times the l33t spellings it tries (at its defaults,
 * 256 and 100, one crafted password costs seconds of CPU). Scoring a prefix can only make the
 * check stricter, and the first 32 characters of any real password show what it is made of.
 */
export const PASSWORD_SCORED_LENGTH = 32;
const L33T_SPELLINGS_TRIED = 16;
/** Shorter names and local parts ('tom', 'ann') sit inside ordinary words; zxcvbn still weighs them as user inputs. */
const MIN_BANNED_PERSONAL_LENGTH = 4;
const SITE_WORDS = ['emporium'];

// Built once, when the DTOs are loaded at start-up: indexing the dictionaries takes about half a second and 25 MiB of heap.
const strengthEstimator = new ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEnglish.translations,
  maxLength: PASSWORD_SCORED_LENGTH,
  l33tMaxSubstitutions: L33T_SPELLINGS_TRIED,
});

/** What the account says about its owner, the first thing an attacker tries. */
export interface PasswordOwner {
  email?: unknown;
  name?: unknown;
}

const wordsOf = (text: string): string[] => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const lettersAndDigitsOf = (text: string): string => wordsOf(text.toLowerCase()).join('');

/** Why the password would be refused, or undefined when it is acceptable. Length is checked separately. */
export function passwordWeakness(password: string, owner: PasswordOwner): string | undefined {
  const email = typeof owner.email === 'string' ? owner.email.toLowerCase() : '';
  const name = typeof owner.name === 'string' ? owner.name : '';
  const at = email.lastIndexOf('@');
  const localPart = at > 0 ? email.slice(0, at) : '';
  // 'ada+shop@…' is delivered to 'ada': the tag is optional, the mailbox name is not.
  const mailbox = localPart.split('+')[0];

  // Compared without case and punctuation: zxcvbn rates 'Ada-Lovelace-1815' strong for ada.lovelace@…,
  // as it rates any password of four or more parts.
  const comparable = lettersAndDigitsOf(password);
  const contains = (personal: string) => personal.length >= MIN_BANNED_PERSONAL_LENGTH && comparable.includes(personal);
  if (contains(lettersAndDigitsOf(mailbox))) return 'password must not contain the part of your email address before the @';
  if (contains(lettersAndDigitsOf(name))) return 'password must not contain your name';

  const userInputs = [email, localPart, mailbox, ...wordsOf(localPart), name, ...wordsOf(name), ...SITE_WORDS].filter(Boolean);
  const { score, feedback } = strengthEstimator.check(password, userInputs);
  if (score >= PASSWORD_MIN_SCORE) return undefined;
  // zxcvbn only gives advice below score 3.
  const suggestions = feedback.suggestions.length ? feedback.suggestions : [zxcvbnEnglish.translations.suggestions.anotherWord];
  return ['password is too easy to guess.', feedback.warning, ...suggestions].filter(Boolean).join(' ');
}

/** class-validator asks for the message after the check: the reason is kept so zxcvbn runs once. */
const weaknessByObject = new WeakMap<object, string>();

/**
 * The password policy, stated once: length bounds, and hard to guess for someone who knows common
 * and breached passwords and the account's own email and name (sibling properties of the DTO).
 */
export function IsAcceptablePassword(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description:
        `At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: zxcvbn's strength estimate must reach ${PASSWORD_MIN_SCORE} of 4, ` +
        'counting common and breached passwords, words, names, keyboard patterns, dates and the email address and name sent with it; ' +
        `only the first ${PASSWORD_SCORED_LENGTH} characters are scored. Ignoring case and punctuation, it must not contain the name ` +
        `or the part of the email address before the @ (when these have ${MIN_BANNED_PERSONAL_LENGTH} or more letters and digits).`,
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_LENGTH,
      example: 'correct-horse-battery-9',
      format: 'password',
    }),
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` }),
    MaxLength(PASSWORD_MAX_LENGTH),
    ValidateBy({
      name: 'isHardToGuessPassword',
      validator: {
        validate: (value: unknown, args) => {
          // Wrong types and lengths are reported by the rules above.
          if (typeof value !== 'string' || value.length < PASSWORD_MIN_LENGTH || value.length > PASSWORD_MAX_LENGTH) return true;
          const owner: object = args?.object ?? {};
          const weakness = passwordWeakness(value, owner);
          if (weakness) weaknessByObject.set(owner, weakness);
          return weakness === undefined;
        },
        defaultMessage: (args) => (args && weaknessByObject.get(args.object)) ?? 'password is too easy to guess',
      },
    }),
  );
}
