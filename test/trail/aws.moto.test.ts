/**
 * The trail suites that call AWS, against one moto_server (test/trail/shared-moto.ts says why one).
 * Each suite works in its own region, plan and apply in eu-west-1 and the bootstrap function in
 * us-east-1, and its buckets have their own names, so neither sees what the other made.
 */
import { describe } from 'vitest';
import { motoAvailable } from '../helpers/moto';
import { useSharedMoto } from './shared-moto';

const moto = useSharedMoto();
// Imported once moto_server is starting, so that it boots while they load.
const [{ planAndApplyOnMoto }, { bootstrapOnMoto }] = await Promise.all([
  import('./suites/manage-on-moto'),
  import('./suites/bootstrap-on-moto'),
]);

describe.skipIf(!motoAvailable)('plan and apply against moto_server', () => planAndApplyOnMoto(moto));
describe.skipIf(!motoAvailable)('the bootstrap function on moto_server', () => bootstrapOnMoto(moto));
