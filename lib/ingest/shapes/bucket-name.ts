import * as z from '../../validation';

/**
 * The name of an S3 bucket, as S3 has ever allowed one: today's rules (3 to 63 of a-z, 0-9, `.`
 * and `-`) and the legacy names of us-east-1 (up to 255 of letters, digits, `.`, `-` and `_`). A
 * name of dots alone (`.`, `..`) is neither, and in a request's path it reads as a path segment:
 * the SDK then asks for another bucket's object (bucket `..` and key `AWSLogs/k` become bucket
 * `AWSLogs`). A notification naming such a bucket is refused at its place, as any bad envelope is.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export const bucketName = z.string().check(
  z.regex(
    /^[A-Za-z0-9._-]{1,255}$/,
    'an S3 bucket name: 1 to 255 letters, digits, dots, hyphens or underscores',
  ),
  z.refine((name) => !/^\.+$/.test(name), 'an S3 bucket name, not dots alone'),
);
