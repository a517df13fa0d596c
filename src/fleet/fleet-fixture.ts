import type { ClientFixture } from '../tree/client-fixture.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `s` as a whole token: not part of a longer run of letters and digits. */
const token = (s: string) => new RegExp(`(?<![A-Za-z0-9])${escape(s)}(?![A-Za-z0-9])`, 'g');
/** The device number of a DevId (after its scheme, e.g. the IMEI of IMEI:…). */
const numberOf = (devId: string) => devId.slice(devId.lastIndexOf(':') + 1);

/**
 * The reference client's fixture as the device `devId`: its DevId node, its device info and the names made
 * from its number (the client's AAuthName dev-<IMEI>) all say the new one, so every client of a fleet is
 * its own device with its own credentials' names.
 */
export function fixtureForDevice(base: ClientFixture, devId: string): ClientFixture {
  const from = base.devInfo.devId;
  let text = JSON.stringify(base).replace(token(from), devId);
  if (numberOf(from) !== from) text = text.replace(token(numberOf(from)), numberOf(devId));
  return JSON.parse(text) as ClientFixture;
}
