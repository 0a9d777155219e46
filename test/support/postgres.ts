// Starts a real PostgreSQL 15 for tests (see src/bench/local-postgres.ts, which the bench shares): startPostgres()
// in beforeAll, stop() in afterAll, and postgresMissing() as the reason to skip where the binaries are absent.
export { PG_BIN, postgresMissing, startPostgres, type PostgresSettings, type TestPostgres } from '../../src/bench/local-postgres.js';
