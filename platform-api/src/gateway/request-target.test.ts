import { describe, expect, it } from 'vitest';
import { upstreamTarget } from './request-target.ts';

describe('upstreamTarget', () => {
  it('strips the gateway prefix and keeps the rest of the path and query byte for byte', () => {
    expect(upstreamTarget('/db/abc/todos?select=id,title&id=in.(1,2)&order=id.desc', 2)).toEqual({
      path: '/todos?select=id,title&id=in.(1,2)&order=id.desc',
      queryApiKey: undefined,
    });
    expect(upstreamTarget('/p/abc/rest/v1/rpc/add?a=1&a=2', 4)).toEqual({ path: '/rpc/add?a=1&a=2', queryApiKey: undefined });
    expect(upstreamTarget('/p/abc/rest/v1/items%20x?name=eq.a%2Fb', 4).path).toBe('/items%20x?name=eq.a%2Fb');
  });

  it('maps the API root, with or without a slash or a query, to /', () => {
    expect(upstreamTarget('/db/abc', 2).path).toBe('/');
    expect(upstreamTarget('/db/abc/', 2).path).toBe('/');
    expect(upstreamTarget('/db/abc?x=1', 2).path).toBe('/?x=1');
    expect(upstreamTarget('/p/abc/rest/v1', 4).path).toBe('/');
    expect(upstreamTarget('/p/abc/rest/v1?', 4).path).toBe('/');
  });

  it('does not take a slash in the query for a path segment', () => {
    expect(upstreamTarget('/db/abc?path=eq./x/y', 2).path).toBe('/?path=eq./x/y');
  });

  it('takes apikey out of the query, decoded, keeping every other parameter as it was', () => {
    expect(upstreamTarget('/db/abc/todos?select=id&apikey=ey.J%2Bk&id=eq.1', 2)).toEqual({ path: '/todos?select=id&id=eq.1', queryApiKey: 'ey.J+k' });
    expect(upstreamTarget('/db/abc/todos?apikey=k1', 2)).toEqual({ path: '/todos', queryApiKey: 'k1' });
    expect(upstreamTarget('/db/abc/todos?apikey=k1&apikey=k2&x=1', 2)).toEqual({ path: '/todos?x=1', queryApiKey: 'k1' });
    expect(upstreamTarget('/db/abc/todos?api%6Bey=k3', 2)).toEqual({ path: '/todos', queryApiKey: 'k3' });
    // a column that merely contains the word is a filter like any other
    expect(upstreamTarget('/db/abc/keys?apikey_name=eq.a&my_apikey=eq.b', 2)).toEqual({ path: '/keys?apikey_name=eq.a&my_apikey=eq.b', queryApiKey: undefined });
  });
});
