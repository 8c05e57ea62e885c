// Serverless variable resolvers that plain CloudFormation cannot express (it has no loops).
'use strict';

/** `alertEmails=a@x.com,b@y.com` becomes one SNS email subscription per address. */
module.exports.alertSubscriptions = async ({ resolveVariable }) => {
  const emails = String((await resolveVariable('param:alertEmails')) ?? '');
  return emails
    .split(',')
    .map((email) => email.trim())
    .filter((email) => email !== '')
    .map((email) => ({ Endpoint: email, Protocol: 'email' }));
};
