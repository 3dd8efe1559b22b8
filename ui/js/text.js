// Plain-words texts shared by several screens.

/** What each DID method is, in the list and in the details. */
export const KIND_NAMES = {
  key: 'Works everywhere (did:key)',
  jwk: 'JSON Web Key (did:jwk)',
  pkh: 'Ethereum account (did:pkh)',
  web: 'Website (did:web)',
};

/** Longer help under the "Kind of identity" menu. */
export const KIND_HELP = {
  key: 'The simplest kind: it works in most apps and needs nothing else. A good first choice.',
  jwk: 'For apps that ask for a “JSON Web Key”. Like the first kind, it needs nothing else.',
  pkh: 'Tied to a new Ethereum account made from your recovery phrase. Choose it when an app asks you to sign in with Ethereum.',
  web: 'Tied to a website you control, so people see your site’s name. You will need to put a small file on that website.',
};

export function kindName(method) {
  return KIND_NAMES[method] || `did:${method}`;
}

/** The keyring states while the wallet is unlocked (settings screen). */
export const KEYRING_SETTINGS = {
  unlocked: 'On. This computer’s keychain keeps the wallet unlocked, so Hallmark opens without your passphrase here. Press Lock to turn this off.',
  locked: 'Off. Hallmark asks for your passphrase each time it opens. To turn this on, press Lock, then tick “Keep unlocked on this computer” when you unlock.',
  disabled: 'Off. Hallmark is set never to use this computer’s keychain, so your passphrase is needed each time.',
  unavailable: 'Not available. This computer has no keychain Hallmark can use, so your passphrase is needed each time.',
};

/** Why the "keep unlocked" choice is missing on the unlock screen. */
export const KEYRING_UNLOCK_NOTE = {
  disabled: 'Hallmark is set never to use this computer’s keychain, so it will ask for your passphrase each time.',
  unavailable: 'This computer has no keychain Hallmark can use, so Hallmark will ask for your passphrase each time.',
};

export const MIN_PASSPHRASE_CHARS = 8;

/**
 * Checks a new passphrase typed twice. Returns null when fine, else
 * {message, field: 'first'|'second'}.
 */
export function newPassphraseProblem(first, second) {
  if ([...first].length < MIN_PASSPHRASE_CHARS) {
    return { field: 'first', message: `Please choose a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.` };
  }
  if (first !== second) {
    return { field: 'second', message: 'The two passphrases are different. Please type the same passphrase twice.' };
  }
  return null;
}
