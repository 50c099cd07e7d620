/**
 * The store contract, `UserStore` (server/backend/stores.ts): users by id and by username,
 * usernames unique case-insensitively (also under concurrent sign-ups), stored as copies.
 */
import type { UserStore } from '../../server/backend/stores';
import { unique, userFixture } from './store-fixtures';
import type { ContractClock, StoreUnderTest } from './store-fixtures';

export function userStoreContract(sut: () => StoreUnderTest): void {
  let users: UserStore;
  let clock: ContractClock;
  beforeEach(() => {
    ({ users, clock } = sut());
  });

  it('creates a user and finds it by id and by username', async () => {
    const user = userFixture(clock.now(), { username: 'Alice', email: 'a@example.com', photo: 'https://p/a.png' });
    expect(await users.create(user)).toBe(true);
    expect(await users.findById(user.id)).toStrictEqual(user);
    expect(await users.findByUsername('Alice')).toStrictEqual(user);
  });

  it('finds usernames case-insensitively and keeps the original spelling', async () => {
    const user = userFixture(clock.now(), { username: `MiXeD_${unique()}` });
    await users.create(user);
    expect(await users.findByUsername(user.username.toLowerCase())).toStrictEqual(user);
    expect(await users.findByUsername(user.username.toUpperCase())).toStrictEqual(user);
  });

  it('refuses a username taken in another case, and writes nothing', async () => {
    const name = `bob_${unique()}`;
    const first = userFixture(clock.now(), { username: name });
    const second = userFixture(clock.now(), { username: name.toUpperCase(), nickname: 'Impostor' });
    expect(await users.create(first)).toBe(true);
    expect(await users.create(second)).toBe(false);
    expect(await users.findById(second.id)).toBeNull();
    expect(await users.findByUsername(name)).toStrictEqual(first);
  });

  it('unknown ids and usernames are null', async () => {
    expect(await users.findById(`U${unique()}`)).toBeNull();
    expect(await users.findByUsername(`nobody_${unique()}`)).toBeNull();
  });

  it('stored users are copies', async () => {
    const user = userFixture(clock.now());
    const original = structuredClone(user);
    await users.create(user);
    user.nickname = 'changed-after-create';
    const read = await users.findById(original.id);
    if (!read) throw new Error('missing');
    read.passwordHash = 'changed-after-read';
    expect(await users.findById(original.id)).toStrictEqual(original);
    expect(await users.findByUsername(original.username)).toStrictEqual(original);
  });

  it('of 20 concurrent sign-ups for one name in different cases, exactly one succeeds', async () => {
    const name = `race_${unique()}`;
    const candidates = Array.from({ length: 20 }, (_, i) =>
      userFixture(clock.now(), { username: i % 2 === 0 ? name : name.toUpperCase() }),
    );
    const results = await Promise.all(candidates.map((user) => users.create(user)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = candidates[results.indexOf(true)];
    expect(await users.findByUsername(name)).toStrictEqual(winner);
    const losers = candidates.filter((_, i) => !results[i]);
    const found = await Promise.all(losers.map((user) => users.findById(user.id)));
    expect(found.every((user) => user === null)).toBe(true);
  });
}
