import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__COMPLYFLOW_SERVERS__ ?? []).map((server) => server.stop()));
  if (globalThis.__COMPLYFLOW_TMP__) fs.rmSync(globalThis.__COMPLYFLOW_TMP__, { recursive: true, force: true });
}
