/**
 * A stand-in for CloudFormation's DescribeStacks (query protocol: a POST form with
 * `Action=DescribeStacks&StackName=…&Version=2010-05-15`, an XML answer), reached by the real SDK
 * through `AWS_ENDPOINT_URL_CLOUDFORMATION`. Unknown stacks get the service's ValidationError
 * ("Stack with id X does not exist"); unsigned requests an AccessDenied.
 */
import { listenOnLoopback, readRequestBody } from '../../local/loopback-server';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** A request as the stand-in saw it, with the SigV4 credential scope it was signed for. */
export interface DescribeStacksRequest {
  action: string | null;
  version: string | null;
  stackName: string | null;
  /** `<access key>/<date>/<region>/<service>/aws4_request`, or undefined when unsigned. */
  credentialScope: string | undefined;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stackXml(name: string, outputs: Record<string, string>): string {
  const members = Object.entries(outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xmlEscape(key)}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
    )
    .join('');
  return `<member><StackName>${xmlEscape(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${xmlEscape(name)}/0f1e2d3c</StackId><CreationTime>2026-11-01T12:00:00.000Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member>`;
}

function errorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>b1c2d3e4-0000-4000-8000-000000000001</RequestId></ErrorResponse>`;
}

/** Starts the stand-in with `stacks` (name → outputs); both are live and may be edited. */
export async function startCloudFormationStandIn(stacks: Record<string, Record<string, string>>) {
  const requests: DescribeStacksRequest[] = [];
  const server = await listenOnLoopback(async (request, response) => {
    const body = (await readRequestBody(request, 64 * 1024)) ?? '';
    const form = new URLSearchParams(body);
    const authorization = request.headers.authorization ?? '';
    const credentialScope = /^AWS4-HMAC-SHA256 Credential=([^,]+),/.exec(authorization)?.[1];
    const seen: DescribeStacksRequest = {
      action: form.get('Action'),
      version: form.get('Version'),
      stackName: form.get('StackName'),
      credentialScope,
    };
    requests.push(seen);
    const answer = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(`<?xml version="1.0"?>\n${xml}`);
    };
    if (!credentialScope) return answer(403, errorXml('AccessDenied', 'Request is not signed'));
    if (
      request.method !== 'POST' ||
      seen.action !== 'DescribeStacks' ||
      seen.version !== '2010-05-15'
    ) {
      return answer(400, errorXml('InvalidAction', `Could not find operation ${seen.action}`));
    }
    const outputs = stacks[seen.stackName ?? ''];
    if (!outputs) {
      return answer(
        400,
        errorXml('ValidationError', `Stack with id ${seen.stackName} does not exist`),
      );
    }
    answer(
      200,
      `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks>${stackXml(seen.stackName as string, outputs)}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>b1c2d3e4-0000-4000-8000-000000000002</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
  return { endpoint: server.origin, requests, stacks, close: () => server.close() };
}
