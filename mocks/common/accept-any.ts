import { getResponse, http, type RequestHandler } from 'msw';

/**
 * `inner` with every refusal of a message from its configured peer turned into an empty HTTP 200 (mutants
 * only: a delegation API that takes any body, any content type, any order). A stranger is still refused
 * (403), so only the tester's delegation API cases see the difference. What `inner` refused changed nothing.
 */
export function acceptingAny(inner: RequestHandler, path: string): RequestHandler {
  return http.post(`*${path}`, async ({ request }) => {
    const res = await getResponse([inner], request);
    if (!res || res.status < 400 || res.status === 403) return res;
    return new Response(null, { status: 200 });
  });
}
