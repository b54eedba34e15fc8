import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from './config';
import type { Keyring } from './keyring';
import { EncryptionCodec } from './payload-codec';

/** The data converter every client and worker uses: JSON payloads, encrypted by the AES-GCM codec. */
export function dataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)] };
}

export async function connectClient(config: Config, keyring: Keyring): Promise<Client> {
  if (!config.temporalAddress) throw new Error('TEMPORAL_ADDRESS is not set');
  const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '10s' });
  return new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverter(keyring) });
}
