import { MemoryStore } from '@gatehouse/engine';

import { storeContract } from './store-contract.js';

storeContract('MemoryStore', () => new MemoryStore());
