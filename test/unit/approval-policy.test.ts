import { describe, expect, it } from 'vitest';
import { approvalNeed, mayAskApproval, PROXY_TAGS } from '../../src/sessions/approval-policy.ts';
import { defaultSessionConfig, parseSessionConfig, type SessionConfigWire } from '../../src/sessions/config.ts';

const config = (wire: SessionConfigWire) => parseSessionConfig(wire, defaultSessionConfig('u'));
const call = (tool: string, tags: readonly string[], accountId: string | null = 'ca_1', toolkit = 'github') => ({
  toolkit,
  tool,
  tags,
  accountId,
  raw: false,
});

describe('approval policy', () => {
  it('asks for nothing by default, and says so without looking anything up', () => {
    const plain = config({});
    expect(approvalNeed(plain, call('GITHUB_DELETE_A_REPOSITORY', ['destructiveHint']))).toBe('none');
    expect(mayAskApproval(plain)).toBe(false);
  });

  it('reads require_approval on tags, per toolkit (which replaces the session-wide tags), on tools and on toolkits', () => {
    const c = config({
      tags: { require_approval: ['createhint', 'updateHint'] },
      tools: { github: { tags: { require_approval: ['destructiveHint'] } }, slack: { require_approval: ['SLACK_LIST_CHANNELS'] } },
      toolkits: { require_approval: ['gmail'] },
    });
    expect(mayAskApproval(c)).toBe(true);
    // github: only its own list counts
    expect(approvalNeed(c, call('GITHUB_CREATE_AN_ISSUE', ['createHint']))).toBe('none');
    expect(approvalNeed(c, call('GITHUB_DELETE_A_REPOSITORY', ['destructiveHint']))).toBe('every_call');
    // elsewhere the session-wide tags, case-insensitively given
    expect(approvalNeed(c, call('NOTION_CREATE_NOTION_PAGE', ['createHint'], 'ca_2', 'notion'))).toBe('every_call');
    expect(approvalNeed(c, call('NOTION_RETRIEVE_PAGE', ['readOnlyHint'], 'ca_2', 'notion'))).toBe('none');
    expect(approvalNeed(c, call('SLACK_LIST_CHANNELS', ['readOnlyHint'], 'ca_3', 'slack'))).toBe('every_call');
    expect(approvalNeed(c, call('GMAIL_GET_PROFILE', ['readOnlyHint'], 'ca_4', 'gmail'))).toBe('every_call');
  });

  it('reads experimental.permissions: the tool override, then the account-wide one, then the default', () => {
    const c = config({
      experimental: {
        permissions: {
          default: 'ask_once_per_session',
          overrides: { 'GITHUB_STAR:ca_1': 'always_allow', '*:ca_1': 'ask_always', 'GITHUB_DELETE_A_REPOSITORY:__none__': 'always_deny' },
        },
      },
    });
    expect(approvalNeed(c, call('GITHUB_STAR', []))).toBe('none');
    expect(approvalNeed(c, call('GITHUB_LIST', []))).toBe('every_call');
    expect(approvalNeed(c, call('GITHUB_LIST', [], 'ca_9'))).toBe('once_per_session');
    expect(approvalNeed(c, call('GITHUB_DELETE_A_REPOSITORY', [], null))).toBe('deny');
    expect(approvalNeed(c, call('GITHUB_DELETE_A_REPOSITORY', [], 'ca_9'))).toBe('once_per_session');
  });

  it('keeps the stricter answer when both shapes speak: an allow never silences a require_approval list', () => {
    const c = config({
      tags: { require_approval: ['destructiveHint'] },
      experimental: { permissions: { default: 'allow_all', overrides: { 'GITHUB_DELETE_A_REPOSITORY:ca_1': 'always_allow' } } },
    });
    expect(approvalNeed(c, call('GITHUB_DELETE_A_REPOSITORY', ['destructiveHint']))).toBe('every_call');
  });

  it('counts a raw proxy request as a write whatever its method, and asks for it where any tool of its toolkit is listed', () => {
    const c = config({ tags: { require_approval: ['updateHint'] }, tools: { slack: { require_approval: ['SLACK_SEND_MESSAGE'] } } });
    expect(approvalNeed(c, { ...call('COMPOSIO_PROXY_EXECUTE', PROXY_TAGS), raw: true })).toBe('every_call');
    const reads = config({ tools: { slack: { require_approval: ['SLACK_SEND_MESSAGE'] } } });
    expect(approvalNeed(reads, { ...call('COMPOSIO_PROXY_EXECUTE', PROXY_TAGS, 'ca_1', 'slack'), raw: true })).toBe('every_call');
    expect(approvalNeed(reads, { ...call('COMPOSIO_PROXY_EXECUTE', PROXY_TAGS, 'ca_1', 'github'), raw: true })).toBe('none');
  });
});
