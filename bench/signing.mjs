// Signing a token: `twilio-token-lifecycle/server` (its Node build and its WebCrypto build) against
// Twilio's helper library, in the same run. Run after `npm run build`: it measures dist/, as published.
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { mintAccessToken as mintOnNode } from '../dist/server.node.js';
import { mintAccessToken as mintOnWebCrypto } from '../dist/server.js';
import { mintWithHelper } from './helper-signer.mjs';

const input = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  apiKeySid: 'SK0123456789abcdef0123456789abcdef',
  apiSecret: 'benchmark-secret-0123456789abcdef',
  identity: 'alice',
  ttlSeconds: 3600,
  grants: { video: {} },
};

// The same token as one synchronous function, no input checks, no promise: what `examples/server`
// signed with before it used the library. The floor for a JavaScript signer on node:crypto.
const json = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function mintSynchronously({ accountSid, apiKeySid, apiSecret, identity, ttlSeconds, grants }) {
  const iat = Math.floor(Date.now() / 1000);
  const signingInput = `${json({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' })}.${json({ jti: `${apiKeySid}-${iat}`, grants: { identity, ...grants }, iat, exp: iat + ttlSeconds, iss: apiKeySid, sub: accountSid })}`;
  return `${signingInput}.${createHmac('sha256', apiSecret).update(signingInput).digest('base64url')}`;
}

/** Tokens per second, `inFlight` calls at a time, each batch awaited (a promise or a plain value). */
async function rate(mint, { ms = 1500, inFlight = 1 } = {}) {
  const batch = async () => {
    if (inFlight === 1) for (let i = 0; i < 100; i++) await mint();
    else for (let i = 0; i < 100; i += inFlight) await Promise.all(Array.from({ length: inFlight }, mint));
  };
  for (let i = 0; i < 5; i++) await batch(); // warm up (and import the WebCrypto key)
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    await batch();
    count += 100;
  }
  return count / ((performance.now() - started) / 1000);
}

// The WebCrypto build in Cloudflare's runtime (workerd, through miniflare): a Worker that signs `count`
// tokens one after another. Timed from outside, less an empty run, so workerd's clock does not matter.
async function rateInWorkerd(count = 30_000) {
  const contents = `import { mintAccessToken } from ${JSON.stringify(fileURLToPath(new URL('../dist/server.js', import.meta.url)))};
    const input = ${JSON.stringify(input)};
    export default { async fetch(request) {
      const count = Number(new URL(request.url).searchParams.get('count'));
      for (let i = 0; i < count; i++) await mintAccessToken(input);
      return new Response('ok');
    } };`;
  const bundle = await build({ stdin: { contents, loader: 'js', resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, bundle: true, format: 'esm', platform: 'browser', conditions: ['workerd', 'worker'], write: false, logLevel: 'silent' });
  const worker = new Miniflare({ modules: true, script: bundle.outputFiles[0].text, compatibilityDate: '2025-09-01' });
  try {
    const timed = async (n) => {
      const started = performance.now();
      await (await worker.dispatchFetch(`http://localhost/?count=${n}`)).text();
      return performance.now() - started;
    };
    await timed(2000); // warm up
    const empty = Math.min(await timed(0), await timed(0));
    return count / ((await timed(count)) - empty) * 1000;
  } finally {
    await worker.dispose();
  }
}

export async function signing() {
  // All the same token, or the comparison proves nothing (tried twice: the second may tick between).
  for (const mint of [mintOnNode, mintOnWebCrypto, mintSynchronously]) {
    const agrees = async () => (await mint(input)) === mintWithHelper(input);
    if (!(await agrees()) && !(await agrees())) throw new Error(`${mint.name} and the helper sign different tokens`);
  }
  const helper = await rate(() => mintWithHelper(input));
  const measured = [
    ['twilio-token-lifecycle/server on Node (node:crypto build), awaited one at a time', await rate(() => mintOnNode(input))],
    ['twilio-token-lifecycle/server, WebCrypto build, awaited one at a time', await rate(() => mintOnWebCrypto(input))],
    ['twilio-token-lifecycle/server, WebCrypto build, 50 in flight', await rate(() => mintOnWebCrypto(input), { inFlight: 50 })],
    ['twilio-token-lifecycle/server, WebCrypto build in workerd (miniflare), awaited one at a time', await rateInWorkerd()],
    ['synchronous node:crypto, no input checks (reference)', await rate(() => mintSynchronously(input))],
  ];
  const rows = measured.map(([signer, perSecond]) => ({ signer, 'tokens / s': Math.round(perSecond), '÷ helper': `${(perSecond / helper).toFixed(1)}×` }));
  rows.push({ signer: "twilio's jwt.AccessToken (baseline)", 'tokens / s': Math.round(helper), '÷ helper': '1.0×' });
  return { rows, ratio: measured[0][1] / helper, webCryptoRatio: measured[1][1] / helper };
}
