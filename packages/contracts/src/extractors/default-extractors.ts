import type { RouteExtractor } from '../route-extractor';
import { axiosExtractor } from './axios-extractor';
import { expressExtractor } from './express-extractor';
import { fastapiExtractor } from './fastapi-extractor';
import { fastifyExtractor } from './fastify-extractor';
import { fetchExtractor } from './fetch-extractor';
import { flaskExtractor } from './flask-extractor';
import { honoExtractor } from './hono-extractor';
import { kyExtractor } from './ky-extractor';
import { koaExtractor } from './koa-extractor';
import { nestjsExtractor } from './nestjs-extractor';
import { nextjsExtractor } from './nextjs-extractor';

/** The extractors used when none are given: every supported backend framework and frontend client. */
export const DEFAULT_ROUTE_EXTRACTORS: readonly RouteExtractor[] = [
  expressExtractor,
  fastifyExtractor,
  koaExtractor,
  honoExtractor,
  nestjsExtractor,
  nextjsExtractor,
  fastapiExtractor,
  flaskExtractor,
  fetchExtractor,
  axiosExtractor,
  kyExtractor,
];
