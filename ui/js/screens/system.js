// The screens around start-up: "Opening Hallmark…" and "Hallmark could not open".

import { byId } from '../dom.js';

export const loadingScreen = {
  section: 'loading-screen',
  title: '',
};

/** @param {() => void} retry what "Try again" does (main.js restarts the start-up). */
export function makeFatalScreen(retry) {
  return {
    section: 'fatal-screen',
    title: 'Could not open',
    init() {
      byId('fatal-retry').addEventListener('click', retry);
    },
    enter({ message } = {}) {
      byId('fatal-message').textContent = message || 'Hallmark could not reach its core.';
    },
  };
}
