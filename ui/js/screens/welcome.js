// 1. Welcome: shown when there is no wallet yet.

import { byId } from '../dom.js';
import { go } from '../router.js';

export const welcomeScreen = {
  section: 'welcome-screen',
  title: 'Welcome',
  init() {
    byId('create-wallet').addEventListener('click', () => go('create'));
    byId('restore-wallet').addEventListener('click', () => go('restore'));
  },
};
