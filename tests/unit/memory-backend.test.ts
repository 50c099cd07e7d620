/**
 * The Backend contract (tests/contract/backend.contract.ts) against the embedded memory backend.
 */
import { createMemoryBackend } from '../../server/backend/memory';
import { backendContract } from '../contract/backend.contract';

backendContract('memory', { make: async () => createMemoryBackend(Date.now) });
