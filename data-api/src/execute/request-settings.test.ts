import { describe, expect, it } from 'vitest';
import { render } from '../sql/fragment.ts';
import { requestSettings, requestSettingsQuery, type ExecutionContext, type ExecutionSettings } from './execute-plan.ts';

function context(settings: ExecutionSettings, overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    auth: { role: 'authenticated', claims: { role: 'authenticated' }, claimsJson: '{"role":"authenticated"}', authenticated: true },
    method: 'GET',
    path: '/items',
    headers: { accept: 'application/json', 'x-test': 'yes' },
    cookies: { session: 'abc' },
    schema: 'api',
    settings,
    ...overrides,
  };
}

describe('requestSettingsQuery', () => {
  const plain: ExecutionSettings = { dbExtraSearchPath: ['public'], dbPreRequest: undefined, dbTxEnd: 'commit', appSettings: [] };
  const withApp: ExecutionSettings = { dbExtraSearchPath: [], dbPreRequest: undefined, dbTxEnd: 'commit', appSettings: [['app.a', '1'], ['app.b', 'x']] };

  it('is requestSettings rendered, with and without timezone and app settings, each time', () => {
    for (const settings of [plain, withApp]) {
      for (const timezone of [undefined, 'Europe/Paris']) {
        for (const applyTimezone of [false, true]) {
          for (const schema of ['api', 'other"schema']) {
            const ctx = context(settings, { timezone, schema, method: 'POST', path: `/p/${schema}` });
            expect(requestSettingsQuery(ctx, applyTimezone)).toStrictEqual(render(requestSettings(ctx, applyTimezone)));
            expect(requestSettingsQuery(ctx, applyTimezone)).toStrictEqual(render(requestSettings(ctx, applyTimezone)));
          }
        }
      }
    }
  });
});
