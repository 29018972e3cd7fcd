import express from 'express';
import users from './users.js';
import teams from './teams.js';

const routes = [
  { path: '/api/users', router: users },
  { path: '/api/teams', router: teams },
];

const app = express();
for (const route of routes) app.use(route.path, route.router);
export default app;
