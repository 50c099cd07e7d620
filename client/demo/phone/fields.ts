/**
 * @module
 * The sign-in form's checks on the phone, before anything is sent: an empty form says "Enter
 * your username and password" (no request), and a new account's every problem shows at once,
 * under its field. The rules are the server's (`registerBody` of `server/edge/validation.ts`,
 * kept in step by a unit test); the server still checks, and answers only its first problem.
 */
import { QR_LOGIN_ERROR_CODES, QrLoginError } from '../../mobile/index';
import { byId } from '../dom';
import type { PhoneStringKey, PhoneStrings } from './strings';

/** The fields of the form that can have a problem. */
export type Field = 'username' | 'password' | 'nickname';

/** Each field's problems (keys of the page's sentences); a field without problems is absent. */
export type FieldProblems = Partial<Record<Field, PhoneStringKey[]>>;

const FIELDS: readonly Field[] = ['username', 'password', 'nickname'];
const USERNAME_CHARS = /^[A-Za-z0-9._@-]+$/;

/** What `login` needs before a request is worth sending, or `null` when it may go. */
export function loginProblem(username: string, password: string): PhoneStringKey | null {
  if (!username && !password) return 'enterCredentials';
  if (!username) return 'enterUsername';
  if (!password) return 'enterPassword';
  return null;
}

/** Every problem of a new account, per field (empty: the server's rules are met). */
export function registerProblems(input: { username: string; password: string; nickname: string }): FieldProblems {
  const problems: FieldProblems = {};
  const add = (field: Field, key: PhoneStringKey) => (problems[field] ??= []).push(key);
  const { username, password, nickname } = input;
  if (!username) add('username', 'enterUsername');
  else {
    if (username.length < 3 || username.length > 64) add('username', 'usernameLength');
    if (!USERNAME_CHARS.test(username)) add('username', 'usernameChars');
  }
  if (!password) add('password', 'enterPassword');
  else if (password.length < 8 || password.length > 256) add('password', 'passwordLength');
  if (nickname.length > 64) add('nickname', 'nicknameLength');
  return problems;
}

/** The rules of a field, for a 400 from the server that names it. */
const RULES: Readonly<Record<Field, PhoneStringKey[]>> = {
  username: ['usernameLength', 'usernameChars'],
  password: ['passwordLength'],
  nickname: ['nicknameLength'],
};

/**
 * The field problems of a refused registration: the username taken (2026), or a 400 whose
 * detail (English, after the colon) names a field; `null` for any other failure.
 */
export function serverFieldProblems(error: unknown): FieldProblems | null {
  if (!(error instanceof QrLoginError)) return null;
  if (error.code === QR_LOGIN_ERROR_CODES.USER_EXISTS) return { username: ['errUsernameTaken'] };
  if (error.code !== QR_LOGIN_ERROR_CODES.INVALID_REQUEST) return null;
  const field = FIELDS.find((name) => error.message.includes(`: ${name} `));
  return field ? { [field]: RULES[field] } : null;
}

/** The problem lines under the fields. */
export interface FieldMarks {
  /** Shows `problems` under their fields (and clears the others); `true` when there were any. */
  show(problems: FieldProblems): boolean;
  clear(): void;
}

/** Wires `#<field>-problem` and `aria-invalid` of each field. */
export function createFieldMarks(strings: PhoneStrings): FieldMarks {
  const show = (problems: FieldProblems): boolean => {
    let any = false;
    for (const field of FIELDS) {
      const keys = problems[field] ?? [];
      const line = byId(`${field}-problem`);
      line.textContent = keys.map((key) => strings[key]).join(' ');
      line.hidden = keys.length === 0;
      const input = byId<HTMLInputElement>(field);
      if (keys.length > 0) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      any ||= keys.length > 0;
    }
    return any;
  };
  return { show, clear: () => void show({}) };
}
