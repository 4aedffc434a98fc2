// One POST to a webhook: no redirects followed, every resolved address checked against the
// target rules (targets.ts), and a time limit on the whole exchange.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, urlRefusal } from './targets.js';

export type SendOutcome = { ok: true; status: number } | { ok: false; error: string; permanent: boolean };

/** Refusals that retrying cannot change: the receiver does not want this request. */
const permanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

class RefusedTarget extends Error {}

function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => addressRefusal(a.address, allowLoopback) && `${hostname} resolves to ${a.address}, and the target ${addressRefusal(a.address, allowLoopback)}`).find(Boolean);
      if (refused) return callback(new RefusedTarget(refused), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export function post(url: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowLoopback: boolean }): Promise<SendOutcome> {
  const refused = urlRefusal(url, options.allowLoopback);
  if (refused) return Promise.resolve({ ok: false, error: `the target ${refused}`, permanent: true });
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: guardedLookup(options.allowLoopback), timeout: options.timeoutMs },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', fail);
        res.resume();
        res.on('end', () => {
          clearTimeout(deadline);
          if (status >= 200 && status < 300) resolve({ ok: true, status });
          else resolve({ ok: false, error: `HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`, permanent: permanentStatus(status) || (status >= 300 && status < 400) });
        });
      },
    );
    const fail = (err: Error) => {
      clearTimeout(deadline);
      resolve({ ok: false, error: err.message, permanent: err instanceof RefusedTarget });
    };
    // The socket's idle timeout alone would let a receiver trickle bytes for ever.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', fail);
    req.end(body);
  });
}
