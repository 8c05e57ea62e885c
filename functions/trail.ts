import { createTrailBootstrapHandler } from '../lib/bootstrap';

/** Applies the trail on deploy (CloudFormation custom resource) and checks its health on a schedule. */
export const handler = createTrailBootstrapHandler();
