// Start-up: registers the screens, wires the header, listens for "session-locked" and for files
// dropped on the window, asks Rust for the status and shows the right first screen:
//   no wallet → welcome;  wallet but locked → unlock;  unlocked → identities.

import { api, listen, onLocked } from './api.js';
import { byId, showError, clearError, whileBusy, wireShowPassphrase, clearToast } from './dom.js';
import { register, go, current, isShellScreen } from './router.js';
import { setStatus, markLocked } from './state.js';
import { startActivityTracking } from './activity.js';
import { loadingScreen, makeFatalScreen } from './screens/system.js';
import { welcomeScreen } from './screens/welcome.js';
import { createScreen, phraseScreen, quizScreen } from './screens/create.js';
import { restoreScreen } from './screens/restore.js';
import { unlockScreen, setUnlockReason } from './screens/unlock.js';
import { identitiesScreen, resetIdentities } from './screens/identities.js';
import { settingsScreen } from './screens/settings.js';
import { credentialsScreen, resetCredentials } from './screens/credentials.js';
import { communityScreen, resetCommunity } from './screens/community.js';
import { signScreen, resetSign, cancelSigning } from './screens/sign.js';
import { verifyScreen, resetVerify } from './screens/verify.js';
import { attestScreen, resetAttest, listenForAttestEvents } from './screens/attest.js';
import { activityScreen, resetActivity, listenForActivityEvents } from './screens/activity.js';

/**
 * The wallet is locked now (event from Rust, or a command answered "locked").
 * reason: "idle" | "manual" | "locked" (a command found it locked).
 */
function handleLocked(reason) {
  markLocked();
  clearToast();
  resetIdentities();
  resetCredentials();
  resetCommunity();
  resetSign();
  resetVerify();
  resetAttest();
  resetActivity();
  if (current() === 'unlock') {
    // Already there (e.g. after pressing Lock): only an idle lock adds something to say.
    if (reason === 'idle') setUnlockReason('idle');
    return;
  }
  // Screens before a wallet exists (welcome, create, restore) have nothing to lock.
  if (isShellScreen()) go('unlock', { reason });
}

function wireHeader() {
  byId('nav-identities').addEventListener('click', () => go('identities'));
  byId('nav-credentials').addEventListener('click', () => go('credentials'));
  byId('nav-communities').addEventListener('click', () => go('communities'));
  byId('nav-sign').addEventListener('click', () => go('sign'));
  byId('nav-verify').addEventListener('click', () => go('verify'));
  byId('nav-attest').addEventListener('click', () => go('attestations'));
  byId('nav-activity').addEventListener('click', () => go('activity'));
  byId('nav-settings').addEventListener('click', () => go('settings'));

  const lockButton = byId('lock-button');
  lockButton.addEventListener('click', () => whileBusy(lockButton, 'Locking…', async () => {
    const errorNode = byId('lock-error');
    clearError(errorNode);
    try {
      // A batch being signed holds the wallet: ask it to stop after the files being signed now.
      await cancelSigning();
      const status = await api.lock();
      setStatus(status);
      markLocked();
      clearToast();
      resetIdentities();
      resetCredentials();
      resetCommunity();
      resetSign();
      resetVerify();
      resetAttest();
      resetActivity();
      go('unlock', { reason: 'manual' });
    } catch (error) {
      showError(errorNode, error);
    }
  }));
}

function routeFromStatus(status) {
  if (!status || !status.has_wallet) go('welcome');
  else if (!status.unlocked) go('unlock');
  else go('identities');
}

let listening = false;
let listeningForDrops = false;

/** The drop zone of the screen shown, if it has one. */
function visibleDropZone() {
  return [...document.querySelectorAll('.screen .drop-zone')].find((zone) => !zone.closest('.screen').hidden) || null;
}

/**
 * Files dropped on the window. Tauri gives their real paths (the web page alone would not); they
 * go to the drop zone of the screen shown as a "paths-dropped" event, which the Sign and Verify
 * screens handle like paths typed in. Elsewhere a drop does nothing.
 */
async function listenForDrops() {
  const webview = window.__TAURI__ && window.__TAURI__.webview;
  if (!webview || typeof webview.getCurrentWebview !== 'function') return;
  await webview.getCurrentWebview().onDragDropEvent((event) => {
    const payload = (event && event.payload) || {};
    const zone = visibleDropZone();
    for (const other of document.querySelectorAll('.drop-zone.is-dragging')) {
      if (other !== zone || payload.type === 'leave' || payload.type === 'drop') other.classList.remove('is-dragging');
    }
    if (!zone) return;
    if (payload.type === 'enter' || payload.type === 'over') zone.classList.add('is-dragging');
    if (payload.type === 'drop' && Array.isArray(payload.paths) && payload.paths.length > 0) {
      zone.dispatchEvent(new CustomEvent('paths-dropped', { detail: { paths: payload.paths } }));
    }
  });
}
let reported = false;

/** Tells Rust, once, when the first real screen has been painted (two animation frames later). */
function reportFirstPaint() {
  if (reported) return;
  reported = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    api.uiReady(current()).catch(() => {});
  }));
}

async function start() {
  go('loading');
  try {
    if (!listening) {
      await listen('session-locked', (event) => {
        const reason = event && event.payload && event.payload.reason;
        handleLocked(reason === 'idle' ? 'idle' : 'manual');
      });
      listening = true;
    }
    // The attestation worker's news (the queue changed); without it the screen still refreshes
    // when shown.
    listenForAttestEvents();
    // The same events, for the Activity screen (a pin of the log confirmed).
    listenForActivityEvents();
    if (!listeningForDrops) {
      listeningForDrops = true;
      // Without drops the screens still take typed paths: not a reason to stop.
      listenForDrops().catch((error) => console.error(error));
    }
    const status = await api.status();
    setStatus(status);
    routeFromStatus(status);
    reportFirstPaint();
  } catch (error) {
    go('fatal', { message: error && error.message });
  }
}

function init() {
  onLocked(() => handleLocked('locked'));

  register('loading', loadingScreen);
  register('fatal', makeFatalScreen(start));
  register('welcome', welcomeScreen);
  register('create', createScreen);
  register('phrase', phraseScreen);
  register('quiz', quizScreen);
  register('restore', restoreScreen);
  register('unlock', unlockScreen);
  register('identities', identitiesScreen);
  register('credentials', credentialsScreen);
  register('communities', communityScreen);
  register('sign', signScreen);
  register('verify', verifyScreen);
  register('attestations', attestScreen);
  register('activity', activityScreen);
  register('settings', settingsScreen);

  wireHeader();
  wireShowPassphrase();
  // Typing in a field marked wrong removes the mark.
  document.addEventListener('input', (event) => {
    if (event.target instanceof Element) event.target.removeAttribute('aria-invalid');
  });
  startActivityTracking();
  start();
}

// Module scripts run after the page is parsed, so the elements exist already.
init();
