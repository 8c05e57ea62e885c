/**
 * The schema library every edge check uses: zod's `zod/mini` API, with English messages.
 *
 * `zod/mini` is the same validator as classic zod (one core, the same messages) without the
 * methods classic attaches to every schema it builds. A Lambda function loads and builds all its
 * schemas in its cold start: measured on the EventBridge bundle, classic zod took about 45 ms of
 * module load and 190 KB of bundle for a handful of schemas, `zod/mini` about 10 ms and 35 KB,
 * because esbuild drops the functions a bundle never calls.
 *
 * Import it as `import * as z from '../validation'`; `export *` (not `export * as z`) keeps each
 * function separately droppable. Classic zod configures English itself; `zod/mini` leaves the
 * language to its user, and without it every message would read "Invalid input".
 *
 * Schemas a Lambda function seldom uses (trailwatch.yml's, each notifier's settings, Slack's
 * answers) are built in `z.lazy`, on their first parse rather than at module load: a function with no
 * trailwatch.yml never builds them, and building them was a few milliseconds of every cold start.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
