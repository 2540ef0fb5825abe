/**
 * Words people use interchangeably when they ask for something done in an app, whatever the app. When a
 * tool's name holds one word of a group, the others are indexed beside it (with less weight than the
 * name itself), so "remove" finds a "Delete" tool and "ticket" an "Issue" tool. What belongs to one app
 * ("PR" for a GitHub pull request, "gcal") lives in that toolkit's file as `synonyms` and `aliases`.
 *
 * Groups are not transitive: "post" sits with "send" and with "story", and a tool named "Send" does not
 * thereby get "story". Keep a group to words a person would really swap in a request.
 */
export const WORD_GROUPS: readonly string[][] = [
  // actions
  ['delete', 'remove', 'trash', 'bin', 'erase', 'destroy', 'discard', 'drop', 'nuke', 'kill', 'rid', 'cancel', 'purge', 'wipe'],
  ['archive', 'remove', 'hide', 'delete'],
  ['create', 'add', 'new', 'make', 'start', 'setup', 'file', 'raise', 'log', 'register', 'open', 'write', 'compose', 'put', 'insert'],
  ['update', 'change', 'edit', 'modify', 'set', 'rename', 'fix', 'adjust', 'tweak', 'correct', 'amend', 'bump', 'mark'],
  ['patch', 'change', 'edit', 'move', 'reschedule', 'push', 'postpone', 'shift', 'update'],
  ['get', 'show', 'view', 'see', 'look', 'fetch', 'read', 'open', 'check', 'pull', 'retrieve', 'detail', 'info', 'lookup', 'display', 'inspect'],
  ['list', 'all', 'show', 'browse', 'every', 'enumerate', 'overview'],
  ['search', 'find', 'lookup', 'query', 'filter', 'where', 'match', 'locate', 'hunt'],
  ['send', 'post', 'message', 'ping', 'notify', 'shoot', 'tell', 'dm', 'announce', 'broadcast', 'text', 'write'],
  ['reply', 'respond', 'answer', 'follow'],
  ['comment', 'note', 'remark', 'feedback', 'say'],
  ['join', 'enter', 'invite', 'add'],
  ['invite', 'attendee', 'guest', 'rsvp', 'accept'],
  ['download', 'save', 'export', 'attach', 'attachment', 'file', 'pdf'],
  ['star', 'bookmark', 'favorite', 'like'],
  ['transition', 'move', 'status', 'stage', 'progress', 'workflow', 'advance', 'done', 'close', 'resolve'],
  ['query', 'filter', 'where', 'rows', 'select'],
  // who
  ['user', 'member', 'person', 'people', 'profile', 'account', 'who', 'teammate', 'colleague', 'staff', 'someone', 'handle', 'username'],
  ['authenticated', 'current', 'me', 'myself', 'whoami', 'logged', 'signed', 'login', 'about'],
  ['member', 'collaborator', 'teammate', 'participant'],
  // things
  ['email', 'mail', 'inbox', 'message', 'gmail', 'mailbox'],
  ['message', 'msg', 'dm', 'chat', 'text', 'post', 'note'],
  ['thread', 'conversation', 'discussion', 'reply', 'replies', 'chain'],
  ['conversation', 'channel', 'chat', 'room', 'group', 'history'],
  ['issue', 'ticket', 'bug', 'task', 'story', 'problem', 'defect', 'incident', 'case'],
  ['ticket', 'request', 'case', 'support', 'help', 'complaint'],
  ['repository', 'repo', 'project', 'codebase', 'source'],
  ['commit', 'push', 'change', 'history', 'changelog'],
  ['branch', 'ref', 'head'],
  ['contact', 'person', 'lead', 'people', 'subscriber', 'recipient', 'audience'],
  ['company', 'organization', 'org', 'account', 'business', 'firm', 'client', 'customer', 'industry'],
  ['deal', 'opportunity', 'opp', 'sale', 'pipeline', 'contract'],
  ['event', 'meeting', 'appointment', 'call', 'invite', 'booking', 'session', 'schedule', 'agenda'],
  ['calendar', 'schedule', 'agenda', 'diary'],
  ['busy', 'free', 'availability', 'available', 'slot', 'open'],
  ['weather', 'temperature', 'rain', 'umbrella', 'hot', 'cold', 'sunny', 'snow', 'wind', 'jacket', 'degree', 'humid', 'outside'],
  ['forecast', 'tomorrow', 'weekend', 'week', 'later', 'upcoming', 'next', 'rain'],
  ['geocode', 'coordinate', 'latitude', 'longitude', 'lat', 'lon', 'long', 'location', 'where', 'place', 'city', 'address'],
  ['record', 'row', 'entry', 'item', 'line'],
  ['table', 'sheet', 'spreadsheet', 'grid'],
  ['schema', 'column', 'field', 'structure', 'property'],
  ['board', 'kanban', 'project'],
  ['card', 'task', 'todo', 'item'],
  ['attachment', 'file', 'pdf', 'document', 'upload'],
  ['label', 'tag', 'folder', 'category'],
  ['draft', 'unsent', 'prepare'],
  ['reaction', 'emoji', 'react', 'thumb'],
  ['page', 'doc', 'document', 'note', 'wiki'],
  ['block', 'paragraph', 'section', 'content', 'text', 'bullet'],
  ['database', 'db', 'table', 'tracker'],
  ['story', 'post', 'article', 'link', 'submission', 'thread'],
  ['top', 'trending', 'popular', 'hot', 'front', 'best', 'leading'],
  ['charge', 'payment', 'transaction', 'paid', 'pay', 'billing'],
  ['customer', 'client', 'payer', 'buyer', 'shopper', 'subscriber'],
  ['invoice', 'bill', 'receipt', 'statement'],
  ['subscription', 'plan', 'recurring', 'membership'],
  ['limit', 'quota', 'usage', 'remaining', 'allowance', 'cap'],
  ['team', 'squad', 'group', 'department'],
  ['workspace', 'organization', 'team', 'company'],
  ['state', 'status', 'stage', 'column', 'workflow'],
];
