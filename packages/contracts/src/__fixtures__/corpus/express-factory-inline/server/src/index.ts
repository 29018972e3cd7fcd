import express from 'express';
import { createUsersRouter } from './users.router';
import { createTeamsRouter } from './teams.router';

const app = express();
app.use('/api/v2', createUsersRouter());
app.use('/api/v2/teams', createTeamsRouter({ pageSize: 20 }));
export default app;
