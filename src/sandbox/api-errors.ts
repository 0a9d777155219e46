// DigitalOcean-style error bodies ({id, message}); the server adds request_id to each.

export interface ApiErrorBody {
  id: string;
  message: string;
  request_id?: string;
}

export const ERRORS = {
  unauthorized: { status: 401, id: 'unauthorized', message: 'Unable to authenticate you' },
  notFound: { status: 404, id: 'not_found', message: 'The resource you requested could not be found.' },
  methodNotAllowed: { status: 405, id: 'method_not_allowed', message: 'The request method is not supported for this resource.' },
  tooMany: { status: 429, id: 'too_many_requests', message: 'API Rate limit exceeded.' },
  serverError: { status: 500, id: 'server_error', message: 'Server was unable to give you a response.' },
  unavailable: { status: 503, id: 'service_unavailable', message: 'The service is temporarily unavailable. Please try again later.' },
  tooLarge: { status: 413, id: 'request_entity_too_large', message: 'The request body is too large.' },
} as const;

export function errorBody(id: string, message: string): ApiErrorBody {
  return { id, message };
}
