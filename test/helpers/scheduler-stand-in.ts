/**
 * A stand-in for the EventBridge Scheduler calls the CLI makes (REST-JSON): `POST
 * /schedules/{Name}` CreateSchedule, `GET /schedules?GroupName=…` ListSchedules (paged),
 * `DELETE /schedules/{Name}?groupName=…` DeleteSchedule; reached by the real SDK through
 * `AWS_ENDPOINT_URL_SCHEDULER`. It keeps the schedules and every request it got.
 */
import type { ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody, sendJson } from '../../local/loopback-server';

/** A schedule as CreateSchedule received it (the JSON body, plus its name). */
export type CreatedSchedule = Record<string, unknown> & { Name: string; GroupName?: string };

export interface SchedulerRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: CreatedSchedule;
  credentialScope: string | undefined;
}

function error(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { Message: message }, { 'x-amzn-errortype': type });
}

/**
 * Starts the stand-in. `pageSize` caps ListSchedules pages; `refuse(name)` returning a message
 * makes that CreateSchedule fail with a ValidationException.
 */
export async function startSchedulerStandIn(options: { pageSize?: number } = {}) {
  const schedules = new Map<string, CreatedSchedule>();
  const requests: SchedulerRequest[] = [];
  const state = {
    pageSize: options.pageSize ?? 100,
    refuse: (_name: string): string | undefined => undefined,
  };
  const key = (group: string, name: string) => `${group}/${name}`;
  const server = await listenOnLoopback(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = (await readRequestBody(request, 1024 * 1024)) ?? '';
    const name = decodeURIComponent(url.pathname.replace(/^\/schedules\/?/, ''));
    const seen: SchedulerRequest = {
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      credentialScope: /^AWS4-HMAC-SHA256 Credential=([^,]+),/.exec(
        request.headers.authorization ?? '',
      )?.[1],
    };
    if (text) seen.body = { ...JSON.parse(text), Name: name };
    requests.push(seen);
    if (!seen.credentialScope) return error(response, 403, 'AccessDeniedException', 'not signed');
    if (request.method === 'POST' && name) {
      const group = String(seen.body?.GroupName ?? 'default');
      const refused = state.refuse(name);
      if (refused) return error(response, 400, 'ValidationException', refused);
      if (schedules.has(key(group, name))) {
        return error(response, 409, 'ConflictException', `Schedule ${name} already exists.`);
      }
      schedules.set(key(group, name), seen.body as CreatedSchedule);
      return sendJson(response, 200, {
        ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${group}/${name}`,
      });
    }
    if (request.method === 'GET' && !name) {
      const group =
        url.searchParams.get('ScheduleGroup') ?? url.searchParams.get('GroupName') ?? 'default';
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const all = [...schedules.values()].filter(
        (entry) => (entry.GroupName ?? 'default') === group && entry.Name.startsWith(prefix),
      );
      const start = Number(url.searchParams.get('NextToken') ?? 0);
      const page = all.slice(start, start + state.pageSize);
      const next =
        start + state.pageSize < all.length ? { NextToken: String(start + state.pageSize) } : {};
      return sendJson(response, 200, {
        Schedules: page.map((entry) => ({
          Name: entry.Name,
          GroupName: group,
          Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${group}/${entry.Name}`,
          State: entry.State ?? 'ENABLED',
          CreationDate: 1_790_000_000,
          LastModificationDate: 1_790_000_000,
          Target: { Arn: (entry.Target as { Arn?: string } | undefined)?.Arn },
        })),
        ...next,
      });
    }
    if (request.method === 'DELETE' && name) {
      const group = url.searchParams.get('groupName') ?? 'default';
      if (!schedules.delete(key(group, name))) {
        return error(
          response,
          404,
          'ResourceNotFoundException',
          `Schedule ${name} does not exist.`,
        );
      }
      return sendJson(response, 200, {});
    }
    error(response, 404, 'UnknownOperationException', `${request.method} ${url.pathname}`);
  });
  return { endpoint: server.origin, schedules, requests, state, close: () => server.close() };
}
