/** A worker thread of the concurrency benchmark's pool: runs the `(worker.thread)` methods. */
import { serveInWorkerThread } from 'skiff/runtime';
import { PasswordService } from '../../generated/security/password_service.js';
import { PasswordHasher } from './password-hasher.js';

await serveInWorkerThread((threads) => threads.addService(PasswordService, new PasswordHasher()));
