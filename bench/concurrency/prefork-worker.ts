/** A prefork worker of the concurrency benchmark: the whole service on this process's event loop. */
import { createServer, runWorker, silentLogger } from 'skiff/runtime';
import { PasswordService } from '../../generated/security/password_service.js';
import { PasswordHasher } from './password-hasher.js';

await runWorker(() => createServer({ logger: silentLogger }).addService(PasswordService, new PasswordHasher()));
