import argon2 from 'argon2';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes): about 30 ms a hash on one core of
 * this machine, slow enough to make guessing expensive, fast enough for a shift change at the door.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed stored hash never matches
  }
}

/**
 * Verifying against this when the username is unknown makes a wrong username take as long as a
 * wrong password, so response times do not reveal which accounts exist.
 */
let dummyHash: Promise<string> | undefined;
export function verifyAgainstDummy(password: string): Promise<boolean> {
  dummyHash ??= hashPassword('no user has this password');
  return dummyHash.then((hash) => verifyPassword(hash, password)).then(() => false);
}
