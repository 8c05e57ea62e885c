/** Platform limits, each with the document that sets it. Texts are cut to fit, never rejected. */

/** https://docs.slack.dev/reference/block-kit/blocks/header-block : plain_text, max 150 characters. */
export const SLACK_HEADER_TEXT_MAX = 150;
/** https://docs.slack.dev/reference/block-kit/blocks/section-block : text max 3000 characters. */
export const SLACK_SECTION_TEXT_MAX = 3000;
/** Same page: at most 10 fields, each max 2000 characters. */
export const SLACK_SECTION_FIELDS_MAX = 10;
export const SLACK_SECTION_FIELD_TEXT_MAX = 2000;
/** https://docs.slack.dev/reference/block-kit/blocks/context-block : at most 10 elements. */
export const SLACK_CONTEXT_ELEMENTS_MAX = 10;
/** https://docs.slack.dev/reference/block-kit/blocks : at most 50 blocks per message. */
export const SLACK_BLOCKS_MAX = 50;
/** https://docs.slack.dev/reference/methods/chat.postMessage : `text` is truncated past 40,000 characters; the notification fallback need not be near it. */
export const SLACK_FALLBACK_TEXT_MAX = 3000;

/** https://docs.aws.amazon.com/sns/latest/api/API_Publish.html : Subject "less than 100 characters", no line breaks or control characters; non-ASCII is replaced by SNS, so it is kept ASCII. */
export const SNS_SUBJECT_MAX = 99;
/** Same page: a message is at most 256 KB (262,144 bytes) of UTF-8. */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

/** https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ : payload.summary max 1024 characters. */
export const PAGERDUTY_SUMMARY_MAX = 1024;
/** Same page: a whole event is at most 512 KB. */
export const PAGERDUTY_EVENT_MAX_BYTES = 524_288;

/**
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors
 * and https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages :
 * a Teams message (card included) is at most about 28 KB.
 */
export const TEAMS_MESSAGE_MAX_BYTES = 28_000;
