/**
 * The hosted pages' words in English, the table every other language follows (its type is
 * `Messages`). App, toolkit, tool and client names are passed in, never translated. Sentences that
 * name something are functions so each language can put the name where its grammar wants it; words
 * before a value carry their own colon and punctuation (`：` and `。` in Chinese).
 */
export const en = {
  close: 'You can close this tab.',
  backTo: (app: string) => `Back to ${app}`,
  details: 'Details:',

  // the link page
  connectTitle: (toolkit: string) => `Connect ${toolkit}`,
  wantsToConnect: (app: string, toolkit: string) => `${app} wants to connect your ${toolkit} account`,
  forUser: 'For the user',
  /** follows the user's label, punctuation included */
  notYou: '. If that is not you, close this page.',
  introCredentials: (toolkit: string) =>
    `Enter your ${toolkit} credentials. They are encrypted and used only for requests you ask your assistant to make.`,
  introWorkspace: (toolkit: string) => `Tell us which ${toolkit} workspace to use, then sign in there.`,
  introSignIn: (toolkit: string) => `Continue to sign in at ${toolkit}. You will come back here when you are done.`,
  continue: 'Continue',
  connect: 'Connect',
  required: 'required',

  // how a link ends
  connected: (toolkit: string) => `${toolkit} is connected`,
  connectedBody: 'Your assistant can use it now: return to the chat to continue.',
  notConnected: (toolkit: string) => `${toolkit} was not connected`,
  denied: (toolkit: string) =>
    `Access was not allowed at ${toolkit}, so nothing was connected. If that was a mistake, ask your assistant for a new link.`,
  providerError: (toolkit: string) =>
    `${toolkit} could not complete the sign-in, so nothing was connected. Try again later with a new link from your assistant.`,
  notConfiguredTitle: 'Not available yet',
  notConfigured: (app: string, toolkit: string) =>
    `Connecting ${toolkit} is not set up on this server yet. Nothing was connected. Let the people who run ${app} know.`,
  signInNotStartedTitle: 'Sign-in could not start',
  signInNotStarted: (toolkit: string) => `${toolkit} did not answer as expected, so the sign-in could not start. Try again in a moment.`,

  linkUnknownTitle: 'Link not found',
  linkUnknown: 'This connect link does not exist. Ask your assistant for a new one.',
  linkExpiredTitle: 'Link expired',
  linkExpired: 'This connect link has expired (links last 10 minutes). Ask your assistant for a new one.',
  linkUsedTitle: 'Link already used',
  linkUsed: 'This connect link was already used. Ask your assistant for a new one if you still need to connect.',
  linkNotPendingTitle: 'Link no longer valid',
  linkNotPending: 'This connection is no longer waiting to be completed. Ask your assistant for a new link.',
  unknownSignInTitle: 'Unknown sign-in',
  unknownSignIn: 'This sign-in response does not belong to any pending connection. Start again from a new link.',
  usedSignInTitle: 'Sign-in already completed',
  usedSignIn: 'This sign-in response was already used. Start again from a new link if you need to.',
  signInExpired: 'The connect link expired before the sign-in finished. Ask your assistant for a new one.',
  otherBrowserTitle: 'Different browser',
  otherBrowser: 'This sign-in was started in another browser. Open the connect link again in this one.',

  formExpiredTitle: 'Form expired',
  formExpired: 'This form could not be verified. Reload the page and try again.',
  formUnreadableTitle: 'Form could not be read',
  formUnreadable: 'What was sent is not a form this page accepts. Go back and try again.',
  formTooLargeTitle: 'Form too large',
  formTooLarge: 'What was sent is larger than this page accepts. Go back and try again.',

  // the approval page
  approveTitle: (tool: string) => `Allow ${tool}?`,
  approveIntro: 'Your assistant wants to run a tool. Nothing runs unless you approve.',
  tool: 'Tool',
  service: 'Service',
  user: 'User',
  withArguments: 'With:',
  forSession: (tool: string) => `A yes lets it use ${tool} for the rest of this conversation.`,
  once: 'A yes runs this one call, once.',
  approve: 'Approve',
  refuse: 'Refuse',
  approved: 'Approved',
  alreadyApproved: 'Already approved',
  approvedBody: 'Return to the chat: your assistant can run it now.',
  refused: 'Refused',
  alreadyRefused: 'Already refused',
  refusedBody: 'Your assistant will not run it.',
  approvalUnknownTitle: 'Approval not found',
  approvalUnknown: 'This approval link does not exist. Ask your assistant again.',
  approvalExpiredTitle: 'Approval expired',
  approvalExpired: 'This approval waited more than 10 minutes. Ask your assistant again.',
  noAnswerTitle: 'No answer',
  noAnswer: 'Choose Approve or Refuse.',

  // the MCP client consent page
  consentTitle: (client: string) => `Connect ${client}?`,
  consentAsks: (client: string, app: string) =>
    `${client} asks to use this ${app} session: its tools, as the session's user, until you revoke it.`,
  answerGoesTo: 'Your answer is sent to:',
  opensApp: (client: string) =>
    `This address opens an application on your computer, not a web page. Allow only if you are connecting ${client} from an app installed here.`,
  verifierHint: (app: string) => `Continue takes you to ${app} to confirm that you are this session's user.`,
  sessionToken: 'Session token',
  sessionTokenHint: (app: string) =>
    `The token ${app} gave you for this session (lks_…, its x-session-token). Only someone who holds it can connect a client.`,
  allow: 'Allow',
  deny: 'Deny',
  cannotContinue: 'This connection cannot continue',
  wrongToken: 'That is not the token of this session.',
  requestRefused:
    'The client that sent you here made a request this server cannot accept. Start again from your MCP client; if this happens again, pass the details below to its developer.',
  requestGone: 'This request has expired or was already answered. Start again from your MCP client.',
  requestAnswered: 'This request was already answered.',
  consentFormExpired: 'This form could not be verified. Start again from your MCP client.',
  otherBrowserConsentTitle: 'Started in another browser',
  otherBrowserConsent:
    'This sign-in was started in another browser, so it cannot finish here. Nothing was connected. Start again from your MCP client, in this browser.',
};

export type Messages = typeof en;
